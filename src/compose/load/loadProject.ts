import { dirname, join, resolve } from "node:path";
import type { SourcePosition } from "../../manifest/types.js";
import type { ComposeDocument, ComposeLoadError, ComposeLoadResult } from "../composeDocument.js";
import { locateIn, mapNode, toPlain } from "./composeNode.js";
import type { ComposeMap } from "./composeNode.js";
import { parseDotenv } from "./dotenv.js";
import { interpolateTree } from "./interpolateTree.js";
import { mergeFiles } from "./merge.js";
import { parseComposeText } from "./parseComposeText.js";
import { problemAt } from "./problem.js";
import { resolveExtends } from "./resolveExtends.js";
import type { LoadedFile } from "./resolveExtends.js";
import type { Lookup } from "./template.js";

type Loaded = { ok: true; file: LoadedFile } | { ok: false; errors: ComposeLoadError[]; unreadable?: string };

/** A file to read: its path on disk (absolute) and how messages name it. */
export interface FileRef {
  path: string;
  display: string;
}

/** Reads a file's text, or says why it cannot (an error at a position of the file). */
export type ReadText = (file: FileRef) => Promise<{ text: string } | { error: ComposeLoadError }>;

export interface ProjectInput {
  /** The compose files, in merge order. */
  files: FileRef[];
  /** The env file to read, if any. */
  envFile?: FileRef;
  /** The process environment: it wins over the env file. */
  env: Record<string, string | undefined>;
}

/**
 * Reads a compose project the way `docker stack deploy` does: each file parsed and interpolated,
 * its `extends` resolved, then the files merged in order. Pure but for `read`, which every file
 * is read through.
 */
export async function loadProject(input: ProjectInput, read: ReadText): Promise<ComposeLoadResult> {
  const lookup = await variables(input, read);
  if (!lookup.ok) return lookup;
  const warnings: ComposeLoadError[] = [];
  const warned = new Set<string>();
  const cache = new Map<string, Promise<Loaded>>();

  const loadFile = (ref: FileRef) => {
    let loading = cache.get(ref.path);
    if (!loading) {
      loading = (async () => {
        const text = await read(ref);
        if ("error" in text)
          return { ok: false as const, errors: [text.error], unreadable: text.error.message };
        const parsed = parseComposeText(text.text, ref.display);
        if (!parsed.ok) return parsed;
        const interpolated = interpolateTree(parsed.root, lookup.lookup);
        for (const { name, at } of interpolated.unset) {
          if (warned.has(name)) continue;
          warned.add(name);
          warnings.push(unsetWarning(name, at));
        }
        if (interpolated.errors.length > 0) return { ok: false as const, errors: interpolated.errors };
        return { ok: true as const, file: { ...ref, root: interpolated.root } };
      })();
      cache.set(ref.path, loading);
    }
    return loading;
  };
  const loadExtended = async (from: LoadedFile, file: string, at: SourcePosition): Promise<Loaded> => {
    const display = join(dirname(from.display), file);
    const loaded = await loadFile({ path: resolve(dirname(from.path), file), display });
    // A file that cannot be read is the fault of the extends that names it.
    if (loaded.ok || loaded.unreadable === undefined) return loaded;
    return {
      ok: false,
      errors: [problemAt(at, [], `cannot read ${display} to extend: ${loaded.unreadable}`)],
    };
  };

  const errors: ComposeLoadError[] = [];
  const roots: ComposeMap[] = [];
  for (const ref of input.files) {
    const loaded = await loadFile(ref);
    if (!loaded.ok) {
      errors.push(...loaded.errors);
      continue;
    }
    const extended = await resolveExtends(loaded.file, loadExtended);
    if (extended.ok) roots.push(extended.root);
    else errors.push(...extended.errors);
  }
  if (errors.length > 0) return { ok: false, errors };
  const [first, ...rest] = roots;
  if (!first)
    return {
      ok: false,
      errors: [{ file: "", line: 1, col: 1, message: "no compose file given; name at least one" }],
    };
  const merged = rest.reduce(mergeFiles, first);
  // `version` is obsolete and says nothing about the project; compose ignores it too.
  const root = mapNode(new Map([...merged.entries].filter(([key]) => key !== "version")), merged.at);
  const document: ComposeDocument = {
    files: input.files.map((file) => file.display),
    root: toPlain(root) as Record<string, unknown>,
    locate: (path) => locateIn(root, path),
  };
  return { ok: true, document, warnings };
}

async function variables(
  input: ProjectInput,
  read: ReadText,
): Promise<{ ok: true; lookup: Lookup } | { ok: false; errors: ComposeLoadError[] }> {
  const fromEnv: Lookup = (name) => (Object.hasOwn(input.env, name) ? input.env[name] : undefined);
  if (!input.envFile) return { ok: true, lookup: fromEnv };
  const text = await read(input.envFile);
  if ("error" in text) return { ok: false, errors: [text.error] };
  const parsed = parseDotenv(text.text, input.envFile.display, fromEnv);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  return { ok: true, lookup: (name) => fromEnv(name) ?? parsed.vars.get(name) };
}

function unsetWarning(name: string, at: SourcePosition): ComposeLoadError {
  return problemAt(
    at,
    [],
    `variable ${name} is not set, so it is replaced by an empty string; set it in the environment or the env file, or give it a default: \${${name}:-default}`,
  );
}
