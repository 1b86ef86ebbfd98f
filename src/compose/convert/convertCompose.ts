import { show } from "../../manifest/format.js";
import type { ComposeDocument } from "../composeDocument.js";
import { contentDocuments } from "./contents.js";
import { convertService } from "./convertService.js";
import { Findings } from "./findings.js";
import type { ImportFinding } from "./findings.js";
import { APP_NAME_MAX, CONTENT_NAME_MAX, manifestName, nameTable } from "./names.js";
import type { NameTable } from "./names.js";
import { COMPOSE_DEFAULT, networkDocuments, usedNetworks } from "./networks.js";
import type { ConvertOptions, Context } from "./options.js";
import { isMap, mapAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * The converter: a compose project (as the loader read it) → the manifest files of the output
 * directory and the report. Pure: it reads nothing (env files are given in the options) and
 * writes nothing (write/ does).
 */

/** One file of the output directory: its name in it, what it came from, its documents. */
export interface OutputFile {
  name: string;
  /** The compose service it is (absent for the networks, secrets and configs files). */
  service?: string;
  documents: Tree[];
}

export type ConvertResult =
  { ok: true; files: OutputFile[]; findings: ImportFinding[] } | { ok: false; errors: ImportFinding[] };

const RESOURCE_FILES = ["networks", "secrets", "configs"];

export function convertCompose(document: ComposeDocument, options: ConvertOptions): ConvertResult {
  const findings = new Findings(document);
  const root = document.root;
  findings.checkKeys("top", root, []);
  const services = mapAt(root.services, ["services"], findings);
  const errors: ImportFinding[] = [];
  const refuse = (table: NameTable, section: string) => {
    for (const e of table.errors)
      errors.push({
        ...document.locate([section, e.name]),
        severity: "unsupported",
        key: `${section}.${e.name}`,
        message: e.message,
      });
    return table.names;
  };
  const reservedFiles = new Map(RESOURCE_FILES.map((f) => [f, `the output file ${f}.yaml`]));
  const ctx: Context = {
    options,
    findings,
    root,
    names: { apps: new Map(), networks: new Map(), secrets: new Map(), configs: new Map() },
  };
  ctx.names.apps = refuse(
    nameTable("service", Object.keys(services), APP_NAME_MAX, reservedFiles),
    "services",
  );
  ctx.names.networks = networkNames(ctx, refuse);
  ctx.names.secrets = refuse(nameTable("secret", keysOf(root.secrets), CONTENT_NAME_MAX), "secrets");
  ctx.names.configs = refuse(nameTable("config", keysOf(root.configs), CONTENT_NAME_MAX), "configs");
  if (errors.length > 0) return { ok: false, errors };
  reportRenames(ctx);
  checkTopVolumes(ctx);

  const files: OutputFile[] = [...ctx.names.apps]
    .sort(([, a], [, b]) => (a < b ? -1 : 1))
    .map(([composeName, app]) => ({
      name: `${app}.yaml`,
      service: composeName,
      documents: [convertService(composeName, app, ctx)],
    }));
  const resources: [string, Tree[]][] = [
    ["networks", networkDocuments(ctx)],
    ["secrets", contentDocuments("secret", ctx)],
    ["configs", contentDocuments("config", ctx)],
  ];
  for (const [name, documents] of resources)
    if (documents.length > 0) files.push({ name: `${name}.yaml`, documents });
  return { ok: true, files, findings: inReadingOrder(findings.list, document.files) };
}

/**
 * Findings as a reader goes through the files: in merge order (a file only `extends` names comes
 * after them, by name), each top to bottom.
 */
function inReadingOrder(findings: readonly ImportFinding[], files: readonly string[]): ImportFinding[] {
  const rank = (file: string) => {
    const i = files.indexOf(file);
    return i < 0 ? files.length : i;
  };
  return [...findings].sort(
    (a, b) =>
      rank(a.file) - rank(b.file) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col,
  );
}

const keysOf = (value: unknown): string[] => (isMap(value) ? Object.keys(value) : []);

/**
 * Network names: the compose `default` network is AlaCrity's `default` (no document), except with
 * `--stack`, where it is the stack's `<stack>_default` and needs a document of its own name.
 */
function networkNames(
  ctx: Context,
  refuse: (t: NameTable, s: string) => Map<string, string>,
): Map<string, string> {
  const used = new Set([...usedNetworks(ctx), ...keysOf(ctx.root.networks)]);
  const stack = ctx.options.stack;
  const others = [...used].filter((n) => n !== COMPOSE_DEFAULT);
  const reserved = new Map([["default", "AlaCrity's own default network"]]);
  const stackDefault = stack === undefined ? undefined : manifestName(`${stack}-default`, APP_NAME_MAX);
  if (stackDefault !== undefined)
    reserved.set(stackDefault, `the stack's default network ${show(`${stack}_default`)}`);
  const names = refuse(nameTable("network", others, APP_NAME_MAX, reserved), "networks");
  if (used.has(COMPOSE_DEFAULT) && stackDefault !== undefined) names.set(COMPOSE_DEFAULT, stackDefault);
  return names;
}

function reportRenames(ctx: Context): void {
  const kinds = [
    ["services", ctx.names.apps, "the app (and its Swarm service) is named"],
    ["networks", ctx.names.networks, "the Network document is named"],
    ["secrets", ctx.names.secrets, "the Secret document is named"],
    ["configs", ctx.names.configs, "the Config document is named"],
  ] as const;
  for (const [section, names, what] of kinds) {
    for (const [from, to] of names) {
      if (from === to || (section === "networks" && from === COMPOSE_DEFAULT)) continue;
      const hint =
        section === "services" ? `; other services reach it as ${show(to)}, not ${show(from)}` : "";
      ctx.findings.add(
        "warning",
        [section, from],
        `renamed: ${what} ${show(to)} (AlaCrity names are a-z, 0-9 and '-')${hint}`,
      );
    }
  }
}

/** Top-level volumes: with `--stack` they exist already, so how they were created does not matter. */
function checkTopVolumes(ctx: Context): void {
  const volumes = isMap(ctx.root.volumes) ? ctx.root.volumes : {};
  for (const [name, value] of Object.entries(volumes)) {
    const path = ["volumes", name];
    const volume = mapAt(value, path, ctx.findings);
    const existing = ctx.options.stack !== undefined || volume.external === true || isMap(volume.external);
    const created = ["driver", "driver_opts", "labels"].filter((k) => volume[k] !== undefined);
    ctx.findings.checkKeys("volume", volume, path, existing ? created : []);
    for (const key of existing ? created : [])
      ctx.findings.add(
        "note",
        [...path, key],
        "left out: the volume exists already; AlaCrity mounts it as it is",
      );
  }
}
