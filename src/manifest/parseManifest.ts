import { isScalar, LineCounter, parseAllDocuments } from "yaml";
import type { Document } from "yaml";
import { formatPath, show } from "./format.js";
import {
  MAX_ALIAS_COUNT,
  MAX_DEPTH,
  MAX_ERRORS_PER_DOCUMENT,
  MAX_ERRORS_PER_FILE,
  MAX_FILE_BYTES,
} from "./limits.js";
import { findExcessiveStructure } from "./nesting.js";
import { findProtoKeys } from "./protoKeys.js";
import { checkDocument } from "./rules.js";
import { appManifestSchema } from "./schema.js";
import type { AppManifest } from "./schema.js";
import { textPosition } from "./textPosition.js";
import { memoryBytes, nanoCpus } from "./resources.js";
import type {
  AppSpec,
  InvalidApp,
  ManifestError,
  ResourceAmounts,
  ResourceSpec,
  SourcePosition,
  VolumeSpec,
} from "./types.js";
import { unsupportedVersionDirectives } from "./yamlVersion.js";
import { inspectDocument, nodeAt, nodePosition, positionAt } from "./yamlNodes.js";
import { problemsFromZod, valueAt } from "./zodIssues.js";
import type { FieldProblem } from "./zodIssues.js";

export interface ParsedManifest {
  apps: AppSpec[];
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
  const early = hostileTextError(text, file);
  if (early) return fileFailure([early], file, []);

  const lineCounter = new LineCounter();
  const docs: Document[] = [
    ...parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false,
      // The yaml library would print some warnings itself (process.emitWarning), quoting the
      // file's content (a collection used as a key may hold an env value) outside our logs.
      logLevel: "error",
    }),
  ];
  const at = (offset: number) => positionAt(offset, lineCounter, file);
  const versions = unsupportedVersionDirectives(text, docs);
  if (versions.length > 0) {
    return fileFailure(
      versions.map(({ offset, message }) => ({ ...at(offset), path: "", message })),
      file,
      docs,
    );
  }

  const syntaxErrors = docs.flatMap((doc) =>
    doc.errors.map((error): ManifestError => {
      const message = /call stack/i.test(error.message)
        ? `nesting is too deep; this is not an App manifest`
        : `YAML syntax error: ${libraryMessage(error.message)}`;
      return { ...at(error.pos[0]), path: "", message };
    }),
  );
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

  const filled = docs.filter((doc) => doc.contents !== null && !isNullScalar(doc));
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

  const result: ParsedManifest = { apps: [], invalid: [], errors: [] };
  filled.forEach((doc, i) => {
    const data = datas[i];
    const problems = validateDocument(data);
    const toError = (problem: FieldProblem): ManifestError => ({
      ...positionOf(doc, problem.path, lineCounter, file, problem.atKey ?? false),
      path: formatPath(problem.path),
      message: problem.message,
    });
    if (problems.ok) {
      result.apps.push(toAppSpec(problems.app, doc, lineCounter, file));
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
      result.invalid.push({ ...nameOf(data), file, errors });
      result.errors.push(...errors);
    }
  });
  result.errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return result;
}

function validateDocument(
  data: unknown,
): { ok: true; app: AppManifest } | { ok: false; problems: FieldProblem[] } {
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
  const parsed = appManifestSchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, problems: [...protoKeys, ...problemsFromZod(parsed.error.issues, data)] };
  }
  if (protoKeys.length > 0) return { ok: false, problems: protoKeys };
  const problems = checkDocument(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, app: parsed.data };
}

function hostileTextError(text: string, file: string): ManifestError | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FILE_BYTES) {
    return {
      file,
      line: 1,
      col: 1,
      path: "",
      message: `the file is too large (${bytes} bytes; the limit is ${MAX_FILE_BYTES}); split it into several files`,
    };
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    return { ...textPosition(text, nul, file), path: "", message: "not a text file (it contains NUL bytes)" };
  }
  const excess = findExcessiveStructure(text);
  if (excess) return { ...textPosition(text, excess.offset, file), path: "", message: excess.message };
  return undefined;
}

function fileFailure(errors: ManifestError[], file: string, docs: readonly Document[]): ParsedManifest {
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  const names = docs.flatMap((doc) => {
    const name = doc.getIn(["metadata", "name"]);
    return typeof name === "string" && name !== "" ? [name] : [];
  });
  const invalid: InvalidApp[] =
    names.length > 0 ? names.map((name) => ({ name, file, errors })) : [{ file, errors }];
  return { apps: [], invalid, errors };
}

/** A document with nothing in it, like the one after a trailing `---`. */
function isNullScalar(doc: Document): boolean {
  return isScalar(doc.contents) && doc.contents.value === null;
}

function nameOf(data: unknown): { name?: string } {
  const name = valueAt(data, ["metadata", "name"]);
  return typeof name === "string" && name !== "" ? { name } : {};
}

function positionOf(
  doc: Document,
  path: readonly PropertyKey[],
  lineCounter: LineCounter,
  file: string,
  atKey: boolean,
): SourcePosition {
  const found = nodeAt(doc, path, { key: atKey });
  if (found) return nodePosition(found.node, lineCounter, file);
  return positionAt(doc.range?.[0] ?? 0, lineCounter, file);
}

function toAppSpec(app: AppManifest, doc: Document, lineCounter: LineCounter, file: string): AppSpec {
  const { metadata, spec } = app;
  const where = (path: PropertyKey[]) => positionOf(doc, path, lineCounter, file, false);
  const positions: Record<string, SourcePosition> = {};
  const record = (path: PropertyKey[]) => (positions[formatPath(path)] = where(path));
  for (const field of ["image", "replicas", "node", "persistent", "volumes", "ports"])
    record(["spec", field]);
  record(["metadata", "name"]);
  spec.volumes.forEach((_, i) => {
    for (const field of [[], ["name"], ["hostPath"], ["containerPath"]])
      record(["spec", "volumes", i, ...field]);
  });
  spec.ports.forEach((_, i) => {
    for (const field of [[], ["target"], ["published"]]) record(["spec", "ports", i, ...field]);
  });
  const volumes = spec.volumes.map((v): VolumeSpec =>
    v.hostPath !== undefined
      ? { kind: "host", hostPath: v.hostPath, containerPath: v.containerPath, readOnly: v.readOnly }
      : { kind: "named", name: v.name ?? "", containerPath: v.containerPath, readOnly: v.readOnly },
  );
  return {
    name: metadata.name,
    labels: metadata.labels,
    annotations: metadata.annotations,
    image: spec.image,
    persistent: spec.persistent,
    replicas: spec.replicas,
    ...(spec.node !== undefined ? { node: spec.node } : {}),
    ...(spec.command !== undefined ? { command: spec.command } : {}),
    ...(spec.args !== undefined ? { args: spec.args } : {}),
    env: spec.env,
    ports: spec.ports.map((p) => ({
      target: p.target,
      protocol: p.protocol,
      ...(p.published !== undefined ? { published: p.published } : {}),
    })),
    volumes,
    ...resourcesOf(spec.resources),
    file,
    source: positionAt(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0, lineCounter, file),
    positions,
  };
}

/** `spec.resources` in Swarm's units; nothing when it sets no amount. */
function resourcesOf(resources: AppManifest["spec"]["resources"]): { resources?: ResourceSpec } {
  const amounts = (
    set: { cpus?: number; memory?: string | number } | undefined,
  ): ResourceAmounts | undefined => {
    if (set === undefined) return undefined;
    const out: ResourceAmounts = {};
    if (set.cpus !== undefined) out.nanoCpus = nanoCpus(set.cpus);
    const bytes = set.memory === undefined ? undefined : memoryBytes(set.memory);
    if (bytes !== undefined) out.memoryBytes = bytes;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const limits = amounts(resources?.limits);
  const reservations = amounts(resources?.reservations);
  if (limits === undefined && reservations === undefined) return {};
  return { resources: { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) } };
}

/** Longer than any of the yaml library's own sentences; what is beyond can only be quoted input. */
const MAX_LIBRARY_SENTENCE = 100;
/** As much of the input as a message quotes after its sentence: as much as `show` keeps. */
const MAX_LIBRARY_QUOTE = 60;

/**
 * A yaml library message as errors show it: its first line, bounded. Some messages quote a whole
 * token of the file after a colon ("Not a YAML token: ..."), which may be a long line of anything;
 * an error shows where the problem is and at most a short piece of the text there.
 */
function libraryMessage(message: string): string {
  const line = message.split("\n")[0] ?? "";
  const colon = line.indexOf(": ");
  if (colon < 0) return cut(line, MAX_LIBRARY_SENTENCE);
  return cut(line.slice(0, colon + 2), MAX_LIBRARY_SENTENCE) + cut(line.slice(colon + 2), MAX_LIBRARY_QUOTE);
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  // By code points, so no half of a surrogate pair is left; never spreading the whole (1 MB) text.
  return `${[...text.slice(0, 2 * max)].slice(0, max - 3).join("")}...`;
}
