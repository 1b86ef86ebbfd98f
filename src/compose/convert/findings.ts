import { printable } from "../../manifest/format.js";
import type { SourcePosition } from "../../manifest/types.js";
import type { ComposeDocument, ComposeLoadError, ComposePath } from "../composeDocument.js";
import { keyEntry } from "./supportedKeys.js";
import type { KeySection } from "./supportedKeys.js";

/*
 * What the import says about the compose file: every key it could not keep, every change it made
 * to keep the rest valid (a rename, replicas lowered, a new empty volume), each at the position
 * the compose file wrote it. A value is never quoted: an env value or a file's content may be a
 * password.
 */

/** `note`: for information; `warning`: complete, but look (exit 2); `unsupported`: something is lost (exit 1). */
export type Severity = "note" | "warning" | "unsupported";

export interface ImportFinding extends SourcePosition {
  severity: Severity;
  /** The compose key it is about, dotted: `services.db.deploy.replicas`. */
  key: string;
  message: string;
}

/** The import's exit status: 1 when something could not be expressed, 2 with warnings, else 0. */
export function importExitStatus(findings: readonly ImportFinding[]): 0 | 1 | 2 {
  if (findings.some((f) => f.severity === "unsupported")) return 1;
  return findings.some((f) => f.severity === "warning") ? 2 : 0;
}

/** One line of the report: `compose.yaml:12:7: warning: services.db.deploy.replicas: ...`. */
export function formatFinding(f: ImportFinding): string {
  const key = f.key === "" ? "" : `${f.key}: `;
  return printable(`${f.file}:${f.line}:${f.col}: ${f.severity}: ${key}${f.message}`);
}

/** A problem that stops the import before anything is converted: `compose.yaml:3:12: message`. */
export function formatLoadError(e: ComposeLoadError): string {
  return printable(`${e.file}:${e.line}:${e.col}: ${e.message}`);
}

/**
 * The whole report of an import: the loader's warnings (a variable that is not set; their message
 * leads with the key path), then the converter's findings.
 */
export function importFindings(
  loadWarnings: readonly ComposeLoadError[],
  findings: readonly ImportFinding[],
): ImportFinding[] {
  return [...loadWarnings.map((w) => ({ ...w, severity: "warning" as const, key: "" })), ...findings];
}

export function formatPath(path: ComposePath): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : part))
    .join(".")
    .replaceAll(".[", "[");
}

/** Collects findings in the order the conversion meets them, each placed by the document's `locate`. */
export class Findings {
  readonly list: ImportFinding[] = [];
  readonly #document: ComposeDocument;

  constructor(document: ComposeDocument) {
    this.#document = document;
  }

  add(severity: Severity, path: ComposePath, message: string): void {
    this.list.push({ ...this.#document.locate(path), severity, key: formatPath(path), message });
  }

  /**
   * Reports every key of `map` the table does not keep in `section`: ignored ones as notes, the
   * rest as unsupported. Keys in `handled` are the caller's to report.
   */
  checkKeys(
    section: KeySection,
    map: Record<string, unknown>,
    path: ComposePath,
    handled: string[] = [],
  ): void {
    for (const key of Object.keys(map)) {
      if (handled.includes(key)) continue;
      const entry = keyEntry(section, key);
      if (entry === undefined)
        this.add("unsupported", [...path, key], "unknown key: AlaCrity does not know it; it is left out");
      else if (entry.support === "ignored")
        this.add("note", [...path, key], `left out: ${stripTicks(entry.note)}`);
      else if (entry.support === "unsupported")
        this.add("unsupported", [...path, key], `cannot be kept: ${stripTicks(entry.note)}`);
    }
  }
}

const stripTicks = (text: string) => text.replaceAll("`", "");
