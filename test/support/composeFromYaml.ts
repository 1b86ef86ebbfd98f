import { LineCounter, parseDocument } from "yaml";
import type { ComposeDocument } from "../../src/compose/composeDocument.js";
import { nodeAt, nodePosition } from "../../src/manifest/yamlNodes.js";

/**
 * A ComposeDocument from one compose file's text, as the loader hands it over (without merging,
 * interpolation or `extends`): the tree, and positions from the yaml package's node ranges. An
 * integer written with a leading 0 is octal, as docker/cli's YAML reads file modes (`0440`).
 */
export function composeFromYaml(text: string, file = "compose.yaml"): ComposeDocument {
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
  if (doc.errors.length > 0) throw new Error(`composeFromYaml: ${doc.errors[0]?.message ?? ""}`);
  const root: unknown = doc.toJS();
  return {
    files: [file],
    root: root !== null && typeof root === "object" ? (root as Record<string, unknown>) : {},
    locate: (path) => {
      const found = nodeAt(doc, path);
      return found ? nodePosition(found.node, lineCounter, file) : { file, line: 1, col: 1 };
    },
  };
}
