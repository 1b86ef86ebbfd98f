import type { Document } from "yaml";
import { positionOf, toAppSpec } from "./appSpec.js";
import { emptyParse } from "./emptyParse.js";
import { formatPath, show } from "./format.js";
import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_ERRORS_PER_DOCUMENT, MAX_ERRORS_PER_FILE } from "./limits.js";
import { libraryMessage } from "./libraryMessage.js";
import { hostileText } from "./hostileText.js";
import { findProtoKeys } from "./protoKeys.js";
import { checkDocument } from "./rules.js";
import { configManifestSchema, secretManifestSchema } from "./contentSchema.js";
import type { ConfigManifest, SecretManifest } from "./contentSchema.js";
import { toContentSpec, toNetworkSpec } from "./documentSpecs.js";
import { networkManifestSchema } from "./networkSchema.js";
import type { NetworkManifest } from "./networkSchema.js";
import { readOctalModes } from "./octalModes.js";
import { appManifestSchema } from "./schema.js";
import type { AppManifest } from "./schema.js";
import type {
  AppSpec,
  ConfigSpec,
  DocumentKind,
  InvalidApp,
  ManifestError,
  NetworkSpec,
  SecretSpec,
} from "./types.js";
import { unsupportedVersionDirectives } from "./yamlVersion.js";
import { inspectDocument } from "./yamlNodes.js";
import { isNullDocument, parseYamlDocuments } from "./yamlDocuments.js";
import { problemsFromZod, valueAt } from "./zodIssues.js";
import type { FieldProblem } from "./zodIssues.js";

export interface ParsedManifest {
  apps: AppSpec[];
  networks: NetworkSpec[];
  secrets: SecretSpec[];
  configs: ConfigSpec[];
  invalid: InvalidApp[];
  /** Every error of the file, sorted by line and column. */
  errors: ManifestError[];
}

/**
 * Parses and validates the text of one manifest file; pure, no I/O. A bad document makes only
 * that document invalid; problems of the whole file (syntax errors, binary or hostile input)
 * make every document of the file invalid.
 */
export function parseManifest(text: string, file: string): ParsedManifest {
  const early = hostileText(text, file);
  if (early) return fileFailure([{ ...early, path: "" }], file, []);

  const { docs, lineCounter, at, syntaxErrors: syntax } = parseYamlDocuments(text, file, "an App manifest");
  const versions = unsupportedVersionDirectives(text, docs);
  if (versions.length > 0) {
    return fileFailure(
      versions.map(({ offset, message }) => ({ ...at(offset), path: "", message })),
      file,
      docs,
    );
  }

  const syntaxErrors: ManifestError[] = syntax.map((error) => ({ ...error, path: "" }));
  for (const doc of docs) {
    const { duplicateKeys, tooDeep } = inspectDocument(doc, MAX_DEPTH);
    if (tooDeep) {
      const message = `nesting is deeper than ${MAX_DEPTH} levels; this is not an App manifest`;
      return fileFailure([{ ...at(doc.contents?.range?.[0] ?? 0), path: "", message }], file, []);
    }
    for (const key of duplicateKeys) {
      const message = "duplicate key; each key may appear only once in a map";
      syntaxErrors.push({ ...at(key.range?.[0] ?? 0), path: "", message });
    }
  }
  if (syntaxErrors.length > 0) return fileFailure(syntaxErrors, file, docs);

  const filled = docs.filter((doc) => !isNullDocument(doc));
  if (filled.length === 0) {
    return fileFailure(
      [
        {
          file,
          line: 1,
          col: 1,
          path: "",
          message: "the file contains no manifest; add an App document or delete the file",
        },
      ],
      file,
      [],
    );
  }

  const datas: unknown[] = [];
  for (const doc of filled) {
    const start = doc.contents?.range?.[0] ?? 0;
    try {
      datas.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    } catch (error) {
      const message =
        error instanceof ReferenceError && /alias/i.test(error.message)
          ? `too many YAML aliases (more than ${MAX_ALIAS_COUNT}); expanding them would exhaust memory ("billion laughs")`
          : `cannot read the YAML: ${libraryMessage(error instanceof Error ? error.message : String(error))}`;
      return fileFailure([{ ...at(start), path: "", message }], file, []);
    }
  }

  const result = emptyParse();
  filled.forEach((doc, i) => {
    const data = datas[i];
    if (data !== null && typeof data === "object") readOctalModes(data, doc, text);
    const problems = validateDocument(data);
    const toError = (problem: FieldProblem): ManifestError => ({
      ...positionOf(doc, problem.path, lineCounter, file, problem.atKey ?? false),
      path: formatPath(problem.path),
      message: problem.message,
    });
    if (problems.ok) {
      const valid = problems.document;
      const where = { doc, lineCounter, file };
      if (valid.kind === "App") result.apps.push(toAppSpec(valid, doc, lineCounter, file));
      else if (valid.kind === "Network") result.networks.push(toNetworkSpec(valid, where));
      else if (valid.kind === "Secret") result.secrets.push(toContentSpec(valid, where));
      else result.configs.push(toContentSpec(valid, where));
    } else {
      // Positions cost a walk each; a file of thousands of broken documents must stay fast.
      const room = Math.max(1, Math.min(MAX_ERRORS_PER_DOCUMENT, MAX_ERRORS_PER_FILE - result.errors.length));
      const shown = problems.problems.slice(0, room);
      const left = problems.problems.length - shown.length;
      if (left > 0 && result.errors.length < MAX_ERRORS_PER_FILE)
        shown.push({
          path: [],
          message: `and ${left} more problem${left === 1 ? "" : "s"} in this document`,
        });
      const errors = shown.map(toError);
      result.invalid.push({ ...nameOf(data), ...kindOf(data), file, errors });
      result.errors.push(...errors);
    }
  });
  result.errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return result;
}

type ValidDocument = AppManifest | NetworkManifest | SecretManifest | ConfigManifest;

/** The schema of the document's kind; App's for an unknown kind (its error names the four). */
function schemaOf(data: object) {
  const kind = (data as { kind?: unknown }).kind;
  if (kind === "Network") return networkManifestSchema;
  if (kind === "Secret") return secretManifestSchema;
  if (kind === "Config") return configManifestSchema;
  return appManifestSchema;
}

function validateDocument(
  data: unknown,
): { ok: true; document: ValidDocument } | { ok: false; problems: FieldProblem[] } {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return {
      ok: false,
      problems: [
        {
          path: [],
          message: `a manifest document must be a map with apiVersion, kind, metadata and spec (got ${show(data)})`,
        },
      ],
    };
  }
  const protoKeys = findProtoKeys(data);
  const parsed = schemaOf(data).safeParse(data);
  if (!parsed.success) {
    return { ok: false, problems: [...protoKeys, ...problemsFromZod(parsed.error.issues, data)] };
  }
  if (protoKeys.length > 0) return { ok: false, problems: protoKeys };
  if (parsed.data.kind !== "App") return { ok: true, document: parsed.data };
  const problems = checkDocument(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, document: parsed.data };
}

function fileFailure(errors: ManifestError[], file: string, docs: readonly Document[]): ParsedManifest {
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  const names = docs.flatMap((doc) => {
    const name = doc.getIn(["metadata", "name"]);
    return typeof name === "string" && name !== "" ? [name] : [];
  });
  const invalid: InvalidApp[] =
    names.length > 0 ? names.map((name) => ({ name, file, errors })) : [{ file, errors }];
  return { ...emptyParse(), invalid, errors };
}

const KINDS: readonly string[] = ["App", "Network", "Secret", "Config"] satisfies DocumentKind[];

function kindOf(data: unknown): { kind?: DocumentKind } {
  const kind = valueAt(data, ["kind"]);
  return typeof kind === "string" && KINDS.includes(kind) ? { kind: kind as DocumentKind } : {};
}

function nameOf(data: unknown): { name?: string } {
  const name = valueAt(data, ["metadata", "name"]);
  return typeof name === "string" && name !== "" ? { name } : {};
}
