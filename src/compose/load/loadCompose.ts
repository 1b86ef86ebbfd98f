import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { nodeAt, nodePosition } from "../../manifest/yamlNodes.js";
import type { ComposeLoadResult } from "../composeDocument.js";

/*
 * PLACEHOLDER until the compose loader is merged: reads one compose file, without merging,
 * interpolation or `extends` (the same parse as test/support/composeFromYaml.ts).
 */

export async function loadCompose(
  files: string[],
  _options: { env: Record<string, string | undefined>; envFile?: string; cwd?: string },
): Promise<ComposeLoadResult> {
  const file = files[0] ?? "";
  const at = { file, line: 1, col: 1 };
  if (files.length !== 1)
    return { ok: false, errors: [{ ...at, message: "this build reads one compose file" }] };
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return {
      ok: false,
      errors: [
        { ...at, message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? "error"}` },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    customTags: (tags) => [
      {
        identify: (v: unknown) => typeof v === "number",
        default: true,
        tag: "tag:yaml.org,2002:int",
        test: /^0[0-7]+$/,
        resolve: (s: string) => Number.parseInt(s, 8),
      },
      ...tags,
    ],
  });
  const first = doc.errors[0];
  if (first)
    return {
      ok: false,
      errors: [
        { ...nodePositionAt(first.pos[0], lineCounter, file), message: `YAML syntax error: ${first.code}` },
      ],
    };
  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  if (root === null || typeof root !== "object" || Array.isArray(root))
    return { ok: false, errors: [{ ...at, message: "the top level must be a mapping" }] };
  const locate = (path: readonly (string | number)[]) => {
    const found = nodeAt(doc, path);
    return found ? nodePosition(found.node, lineCounter, file) : at;
  };
  return { ok: true, document: { files, root: root as Record<string, unknown>, locate }, warnings: [] };
}

function nodePositionAt(offset: number, lineCounter: LineCounter, file: string) {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col };
}
