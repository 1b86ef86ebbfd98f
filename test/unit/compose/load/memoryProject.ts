import { posix } from "node:path";
import type { ComposeLoadResult } from "../../../../src/compose/composeDocument.js";
import { loadProject } from "../../../../src/compose/load/loadProject.js";
import type { ReadText } from "../../../../src/compose/load/loadProject.js";

/** Loads compose files from memory: `texts` by name (relative to /p), `files` in merge order. */
export function loadFromMemory(
  texts: Record<string, string>,
  files: string[],
  options: { env?: Record<string, string | undefined>; envFile?: string } = {},
): Promise<ComposeLoadResult> {
  const read: ReadText = (file) => {
    const name = posix.relative("/p", file.path);
    const text = Object.hasOwn(texts, name) ? texts[name] : undefined;
    return Promise.resolve(
      text === undefined
        ? { error: { file: file.display, line: 1, col: 1, message: "file or directory does not exist" } }
        : { text },
    );
  };
  const ref = (name: string) => ({ path: posix.join("/p", name), display: name });
  return loadProject(
    {
      files: files.map(ref),
      env: options.env ?? {},
      ...(options.envFile === undefined ? {} : { envFile: ref(options.envFile) }),
    },
    read,
  );
}

/** The document of a load that must succeed. */
export async function loaded(...args: Parameters<typeof loadFromMemory>) {
  const result = await loadFromMemory(...args);
  if (!result.ok) throw new Error(`expected a load, got ${JSON.stringify(result.errors)}`);
  return result;
}

/** The errors of a load that must fail, as FILE:LINE:COL: message. */
export async function failures(...args: Parameters<typeof loadFromMemory>): Promise<string[]> {
  const result = await loadFromMemory(...args);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.document.root)}`);
  return result.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`);
}

/** A position as errors print it. */
export const where = (p: { file: string; line: number; col: number }) => `${p.file}:${p.line}:${p.col}`;
