import { Document, isScalar, visit } from "yaml";
import type { OutputFile } from "./convertCompose.js";

/*
 * The text of one output file: the schema line editors read, a comment naming the source, then
 * the documents. File modes are written in octal (0o440), as people read them.
 */

export function manifestText(file: OutputFile, sources: readonly string[], schemaPath: string): string {
  const from = sources.join(", ");
  const header = [
    `# yaml-language-server: $schema=${schemaPath}`,
    "#",
    file.service === undefined
      ? `# Imported by \`alacrity import\` from ${from}.`
      : `# Imported by \`alacrity import\` from ${from}, service ${JSON.stringify(file.service)}.`,
  ];
  const body = file.documents.map((data) => {
    const doc = new Document(data);
    visit(doc, {
      Pair(_, pair) {
        if (
          isScalar(pair.key) &&
          pair.key.value === "mode" &&
          isScalar(pair.value) &&
          typeof pair.value.value === "number"
        )
          pair.value.format = "OCT";
        return undefined;
      },
    });
    return doc.toString({ lineWidth: 0 });
  });
  return `${header.join("\n")}\n${body.join("---\n")}`;
}
