import { posix } from "node:path";
import { separateDuplicates } from "./duplicates.js";
import type {
  AppSpec,
  ConfigSpec,
  DocumentBase,
  DocumentKind,
  InvalidApp,
  ManifestError,
  NetworkSpec,
  SecretSpec,
} from "./types.js";

/*
 * The checks across files for Network, Secret and Config documents, made once every file is
 * parsed: names unique per kind, `spec.file` inside the apps directory, and every app's
 * references declared and valid. An app whose reference fails is invalid, never dropped: its
 * file goes into failedFiles, so its service is kept as it is rather than pruned.
 */

export interface Documents {
  apps: AppSpec[];
  networks: NetworkSpec[];
  secrets: SecretSpec[];
  configs: ConfigSpec[];
  /** Documents already invalid, of every kind (a broken Network makes its apps invalid). */
  invalid: InvalidApp[];
}

export interface CheckedDocuments {
  apps: AppSpec[];
  networks: NetworkSpec[];
  secrets: SecretSpec[];
  configs: ConfigSpec[];
  /** The documents these checks made invalid (to add to the others). */
  invalid: InvalidApp[];
}

/** The network every app is on, AlaCrity's own `alacran--default`: always declared. */
export const DEFAULT_NETWORK_NAME = "default";

const FIELD = { Network: "networks", Secret: "secrets", Config: "configs" } as const;

export function checkReferences(documents: Documents): CheckedDocuments {
  const invalid: InvalidApp[] = [];
  const unique = <T extends DocumentBase>(docs: T[], kind: Exclude<DocumentKind, "App">): T[] => {
    const { unique: kept, duplicates } = separateDuplicates(docs, kind.toLowerCase());
    invalid.push(...duplicates.map((d) => ({ ...d, kind })));
    return kept;
  };
  const networks = unique(documents.networks, "Network");
  const secrets = unique(resolvedFiles(documents.secrets, "Secret", invalid), "Secret");
  const configs = unique(resolvedFiles(documents.configs, "Config", invalid), "Config");
  const declared = {
    Network: new Set([DEFAULT_NETWORK_NAME, ...networks.map((n) => n.name)]),
    Secret: new Set(secrets.map((s) => s.name)),
    Config: new Set(configs.map((c) => c.name)),
  };
  const broken = new Map<string, InvalidApp>();
  for (const doc of [...documents.invalid, ...invalid]) {
    if (doc.kind !== undefined && doc.kind !== "App" && doc.name !== undefined)
      broken.set(`${doc.kind}/${doc.name}`, doc);
  }
  const apps: AppSpec[] = [];
  for (const app of documents.apps) {
    const errors: ManifestError[] = [];
    for (const kind of ["Network", "Secret", "Config"] as const) {
      const field = FIELD[kind];
      (app[field] ?? []).forEach((ref: { name: string }, i) => {
        if (declared[kind].has(ref.name)) return;
        const path = `spec.${field}[${i}]`;
        const at = app.positions[`${path}.name`] ?? app.positions[path] ?? app.source;
        const bad = broken.get(`${kind}/${ref.name}`);
        const what = kind.toLowerCase();
        const message = bad
          ? `${what} ${ref.name} is invalid (${where(bad)}); fix that document`
          : `${what} ${ref.name} is not declared; add a kind: ${kind} document named ${ref.name} or remove it from spec.${field}`;
        errors.push({ ...at, path, message });
      });
    }
    if (errors.length === 0) apps.push(app);
    else invalid.push({ name: app.name, kind: "App", file: app.source.file, errors });
  }
  return { apps, networks, secrets, configs, invalid };
}

function where(doc: InvalidApp): string {
  const first = doc.errors[0];
  return first ? `see ${first.file}:${first.line}:${first.col}` : `in ${doc.file}`;
}

/**
 * A `spec.file` relative to its manifest, made relative to the apps directory; one that leads
 * out of it makes the document invalid (symlinks are checked when the file is read).
 */
function resolvedFiles<T extends SecretSpec | ConfigSpec>(
  docs: T[],
  kind: "Secret" | "Config",
  invalid: InvalidApp[],
): T[] {
  const kept: T[] = [];
  for (const doc of docs) {
    if (doc.from.kind !== "file") {
      kept.push(doc);
      continue;
    }
    const path = posix.join(posix.dirname(doc.file), doc.from.path);
    if (path === ".." || path.startsWith("../")) {
      const at = doc.positions["spec.file"] ?? doc.source;
      const message = `the file ${JSON.stringify(doc.from.path)} is outside the apps directory; keep the ${kind.toLowerCase()}'s file in the apps directory`;
      invalid.push({ name: doc.name, kind, file: at.file, errors: [{ ...at, path: "spec.file", message }] });
      continue;
    }
    kept.push({ ...doc, from: { kind: "file", path } });
  }
  return kept;
}
