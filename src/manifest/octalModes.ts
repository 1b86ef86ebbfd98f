import { isScalar } from "yaml";
import type { Document } from "yaml";
import { nodeAt } from "./yamlNodes.js";

/**
 * YAML 1.2 reads `mode: 0440` as the decimal 440, but everyone writes file modes like chmod
 * does: a mode written with a leading 0 is read as octal, in the document's data, before it is
 * validated (so `0777` is allowed and `0440` is not taken for 0o670).
 */
export function readOctalModes(data: unknown, doc: Document, text: string): void {
  const spec = (data as { spec?: unknown }).spec;
  if (spec === null || typeof spec !== "object") return;
  for (const field of ["secrets", "configs"]) {
    const entries = (spec as Record<string, unknown>)[field];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, i) => {
      if (
        entry === null ||
        typeof entry !== "object" ||
        typeof (entry as { mode?: unknown }).mode !== "number"
      )
        return;
      const found = nodeAt(doc, ["spec", field, i, "mode"]);
      if (!found?.exact || !isScalar(found.node) || !found.node.range) return;
      const written = text.slice(found.node.range[0], found.node.range[1]).trim();
      if (/^0[0-7]+$/.test(written)) (entry as { mode: number }).mode = Number.parseInt(written, 8);
    });
  }
}
