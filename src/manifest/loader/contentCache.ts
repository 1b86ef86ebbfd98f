import { createHash } from "node:crypto";
import type { ParsedManifest } from "../parseManifest.js";
import { relabel } from "./relabel.js";

interface Entry {
  /** The name the result carries in its positions and errors. */
  display: string;
  parsed: ParsedManifest;
}

/**
 * Parse results by the text they were parsed from, shared by every directory a process loads.
 * A Git source loads each commit from a checkout directory of its own, where neither the
 * directory's memory cache (by path and stat) nor its disk cache knows any file yet; by content,
 * a commit that changes one file of 3000 parses one file. A hit found under another name is
 * re-labelled (`relabel`), so errors and positions name the file where it is now. No parser
 * fingerprint in the key: within one process the parser's code cannot change.
 *
 * What a load did not use is forgotten when it ends (`commit`): the cache holds the results of
 * the latest load, the ones the next commit most likely shares.
 */
export class ContentCache {
  #entries = new Map<string, Entry>();
  #next = new Map<string, Entry>();

  /** The key of a file's text. */
  keyOf(text: string): string {
    return createHash("sha256").update(text).digest("hex");
  }

  /** The result of this text as `parseManifest(text, display)` would give it, if known. */
  get(key: string, display: string): ParsedManifest | undefined {
    const entry = this.#next.get(key) ?? this.#entries.get(key);
    if (entry === undefined) return undefined;
    const parsed = relabel(entry.parsed, entry.display, display);
    if (!this.#next.has(key)) this.#next.set(key, { display, parsed });
    return parsed;
  }

  set(key: string, display: string, parsed: ParsedManifest): void {
    this.#next.set(key, { display, parsed });
  }

  /** Ends a load: what it did not use is forgotten. */
  commit(): void {
    this.#entries = this.#next;
    this.#next = new Map();
  }
}

/** The process's one content cache: results are shared across directories. */
export const contentCache = new ContentCache();
