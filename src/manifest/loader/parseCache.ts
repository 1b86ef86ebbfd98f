import type { Stats } from "node:fs";
import type { ParsedManifest } from "../parseManifest.js";

/**
 * A file's parse result is reused only while the file keeps its identity and timestamps, and only
 * when it was parsed well after it was last written: the kernel stamps times with a coarse clock
 * (a tick, a few ms), so a same-size rewrite right after a parse could keep every stamp — the
 * "racily clean" case git knows. Such a recent file is simply parsed again on the next load.
 */
export const RACY_MARGIN_MS = 2000;

/** True when a read that started at `readAt` saw the file as its stat says (see `RACY_MARGIN_MS`). */
export function readIsSettled(stat: Stats, readAt: number): boolean {
  return readAt - Math.max(stat.mtimeMs, stat.ctimeMs) > RACY_MARGIN_MS;
}
/**
 * Directories remembered at once. Each holds a result for every one of its files; a daemon loads
 * one directory, or with a Git source one checkout per commit, of which only the current one and
 * the one before it still exist (what other directories share is in the content cache).
 */
const MAX_DIRECTORIES = 2;

interface Entry {
  key: string;
  parsed: ParsedManifest;
  trusted: boolean;
  /** The key of the text it was parsed from (see `ContentCache`), when known. */
  contentKey: string | undefined;
}

/** The stat fields that change whenever a file's bytes can have changed. */
export function statKey(display: string, stat: Stats): string {
  return `${display}\u0000${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/**
 * Parse results of one directory's manifests, keyed by path and stat, so that reloading a
 * directory after one file changed parses that file only (YAML + schema: ~0.5 ms a file, 0.5-1 s
 * for 1000 files on a loaded machine, on every change the daemon sees).
 */
export class ParseCache {
  #entries = new Map<string, Entry>();
  #next = new Map<string, Entry>();

  /** The cached result of `path` for this stat, or undefined when it must be parsed again. */
  get(path: string, key: string): ParsedManifest | undefined {
    const entry = this.#entries.get(path);
    if (!entry || !entry.trusted || entry.key !== key) return undefined;
    this.#next.set(path, entry);
    return entry.parsed;
  }

  set(
    path: string,
    key: string,
    stat: Stats,
    parsed: ParsedManifest,
    parsedAt: number,
    contentKey?: string,
  ): void {
    const newest = Math.max(stat.mtimeMs, stat.ctimeMs);
    this.#next.set(path, { key, parsed, trusted: parsedAt - newest > RACY_MARGIN_MS, contentKey });
  }

  /** The content key of the result this load took or set for `path`. */
  contentKeyOf(path: string): string | undefined {
    return this.#next.get(path)?.contentKey;
  }

  /** Ends a load: files not seen in it (deleted, renamed) are forgotten. */
  commit(): void {
    this.#entries = this.#next;
    this.#next = new Map();
  }
}

const caches = new Map<string, ParseCache>();

/** The cache of one directory as named by the caller, kept for the process's life. */
export function parseCacheFor(dir: string): ParseCache {
  let cache = caches.get(dir);
  if (cache) {
    caches.delete(dir);
  } else {
    cache = new ParseCache();
    if (caches.size >= MAX_DIRECTORIES) caches.delete(caches.keys().next().value!);
  }
  caches.set(dir, cache);
  return cache;
}
