import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ParsedManifest } from "../parseManifest.js";
import { readOwnFile } from "./cacheKey.js";

/*
 * The file a disk parse cache is kept in: its layout, its MAC, reading it (anything wrong means
 * "empty") and writing it (atomically), and the pruning of old files.
 */

/** Bumped whenever the layout of the cache file changes. */
export const FORMAT = 5;
/** A cache file is the hex HMAC-SHA256 of its content, a newline, then the content (JSON). */
const MAC_HEX_LENGTH = 64;
/** Cache files (one per apps directory) kept in the cache directory; older ones are deleted. */
export const MAX_CACHE_FILES = 64;
/** A temporary file this old was left by a process that died while writing. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const CACHE_FILE = /^parse-[0-9a-f]{16}\.json$/;
const TEMP_FILE = /^parse-[0-9a-f]{16}\.json\.[^/]*\.tmp$/;

interface CacheFileContent {
  format: number;
  fingerprint: string;
  entries: Record<string, unknown>;
  /**
   * Files whose text was read well after their last change, by display name: their stat key and
   * entry. A later process finding the same stat takes the entry without reading the file.
   */
  files: Record<string, FileRecord>;
}

export interface FileRecord {
  stat: string;
  key: string;
  /** The key of the file's text alone (see `ContentCache`). */
  content?: string;
}

export interface StoredCache {
  entries: Map<string, unknown>;
  files: Map<string, FileRecord>;
}

export function readCacheFile(file: string, fingerprint: string, key: Buffer): StoredCache {
  const empty = (): StoredCache => ({ entries: new Map(), files: new Map() });
  const read = readOwnFile(file);
  if (!read.ok) return empty();
  const text = verifiedContent(read.content, key, file);
  if (text === undefined) return empty();
  try {
    const content = JSON.parse(text) as Partial<CacheFileContent> | null;
    if (
      typeof content !== "object" ||
      content === null ||
      content.format !== FORMAT ||
      content.fingerprint !== fingerprint ||
      typeof content.entries !== "object" ||
      content.entries === null ||
      Array.isArray(content.entries) ||
      typeof content.files !== "object" ||
      content.files === null
    )
      return empty();
    const files = new Map<string, FileRecord>();
    for (const [display, record] of Object.entries(content.files)) {
      const { stat, key, content } = (record ?? {}) as Partial<FileRecord>;
      if (typeof stat === "string" && typeof key === "string")
        files.set(display, typeof content === "string" ? { stat, key, content } : { stat, key });
    }
    return { entries: new Map(Object.entries(content.entries)), files };
  } catch {
    return empty();
  }
}

/**
 * Writes a cache file whole under a temporary name, then renames it into place. Failing is
 * ignored: a read-only home or a full disk only costs the next process a parse. `now` (epoch
 * milliseconds) dates the temporary files left behind by dead writers.
 */
export function writeCacheFile(
  file: string,
  key: Buffer,
  fingerprint: string,
  stored: StoredCache,
  now: number,
): void {
  const dir = dirname(file);
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const content: CacheFileContent = {
      format: FORMAT,
      fingerprint,
      entries: Object.fromEntries(stored.entries),
      files: Object.fromEntries(stored.files),
    };
    const json = JSON.stringify(content);
    const mac = macOf(key, file, json).toString("hex");
    // "wx": never follow a link or reuse a file someone placed at the temporary name.
    writeFileSync(temp, `${mac}\n${json}`, { mode: 0o600, flag: "wx" });
    // Atomic: a concurrent reader sees the old file or the new one, and the last writer wins.
    renameSync(temp, file);
  } catch {
    removeQuietly(temp);
    return;
  }
  pruneCacheFiles(dir, now);
}

/**
 * The MAC of a cache file's content. The file's name is part of it: a file is the cache of one
 * apps directory, and must not pass for another's.
 */
function macOf(key: Buffer, file: string, content: string | Buffer): Buffer {
  return createHmac("sha256", key).update(basename(file)).update("\u0000").update(content).digest();
}

/** The JSON content of a cache file, when its MAC verifies. */
function verifiedContent(bytes: Buffer, key: Buffer, file: string): string | undefined {
  if (bytes.length <= MAC_HEX_LENGTH || bytes[MAC_HEX_LENGTH] !== 0x0a) return undefined;
  const stored = Buffer.from(bytes.toString("latin1", 0, MAC_HEX_LENGTH), "hex");
  const content = bytes.subarray(MAC_HEX_LENGTH + 1);
  const expected = macOf(key, file, content);
  if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) return undefined;
  return content.toString("utf8");
}

/** A light check: the file is authenticated and written atomically, but may be from a buggy version. */
export function isParsedManifest(value: unknown): value is ParsedManifest {
  if (typeof value !== "object" || value === null) return false;
  const { apps, networks, secrets, configs, invalid, errors } = value as Record<string, unknown>;
  return [apps, networks, secrets, configs, invalid, errors].every((list) => Array.isArray(list));
}

/** Keeps the newest `MAX_CACHE_FILES` cache files, and removes temporary files of dead writers. */
function pruneCacheFiles(dir: string, now: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.filter((n) => TEMP_FILE.test(n))) {
    const mtime = mtimeOf(join(dir, name));
    if (mtime !== undefined && now - mtime > STALE_TEMP_MS) removeQuietly(join(dir, name));
  }
  const cacheFiles = names.filter((n) => CACHE_FILE.test(n));
  if (cacheFiles.length <= MAX_CACHE_FILES) return;
  const byAge = cacheFiles
    .map((name) => ({ path: join(dir, name), mtime: mtimeOf(join(dir, name)) ?? 0 }))
    .sort((a, b) => a.mtime - b.mtime);
  for (const { path } of byAge.slice(0, byAge.length - MAX_CACHE_FILES)) removeQuietly(path);
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (another process pruned it) or not ours to remove.
  }
}
