import { isScalar, LineCounter, parseAllDocuments } from "yaml";
import type { Document, DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions } from "yaml";
import { libraryMessage } from "./libraryMessage.js";
import type { SourcePosition } from "./types.js";
import { positionAt } from "./yamlNodes.js";

/** The YAML documents of one file, where each offset is, and the file's syntax errors. */
export interface YamlDocuments {
  docs: Document[];
  lineCounter: LineCounter;
  at: (offset: number) => SourcePosition;
  /** Syntax errors, worded for the user: `what` says what the file is not when it is too deep. */
  syntaxErrors: (SourcePosition & { message: string })[];
}

/**
 * Parses every document of a YAML text the one way manifests and compose files are read: keys
 * checked for duplicates by the caller (`inspectDocument`), positions kept, and the library's own
 * warnings silenced — it would print them itself (process.emitWarning), quoting the file's
 * content (a collection used as a key may hold an env value) outside our logs.
 */
export function parseYamlDocuments(
  text: string,
  file: string,
  what: string,
  customTags?: SchemaOptions["customTags"],
): YamlDocuments {
  const lineCounter = new LineCounter();
  const options: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
    logLevel: "error",
    ...(customTags ? { customTags } : {}),
  };
  const docs: Document[] = [...parseAllDocuments(text, options)];
  const at = (offset: number) => positionAt(offset, lineCounter, file);
  const syntaxErrors = docs.flatMap((doc) =>
    doc.errors.map((error) => ({
      ...at(error.pos[0]),
      message: /call stack/i.test(error.message)
        ? `nesting is too deep; this is not ${what}`
        : `YAML syntax error: ${libraryMessage(error.message)}`,
    })),
  );
  return { docs, lineCounter, at, syntaxErrors };
}

/** A document with nothing in it, like the one after a trailing `---`. */
export const isNullDocument = (doc: Document): boolean =>
  doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
