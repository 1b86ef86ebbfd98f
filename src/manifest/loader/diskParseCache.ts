import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { backgroundClock, type Clock, type TimerHandle } from "../../domain/clock.js";
import type { ParsedManifest } from "../parseManifest.js";
import { cacheDirectory, cacheFileFor, keyOfCacheDirectory } from "./cacheDirectory.js";
import {
  isParsedManifest,
  readCacheFile,
  writeCacheFile,
  type FileRecord,
  type StoredCache,
} from "./cacheFile.js";
import { codeFingerprint } from "./fingerprint.js";

/** Cache instances (apps directories) a process remembers at once: as many as `parseCache.ts`. */
const MAX_INSTANCES = 2;

/**
 * Parse results of one apps directory kept on disk between processes, so that a one-shot command
 * on unchanged manifests neither parses them nor even loads the YAML and schema libraries.
 * Entries are keyed by a hash of the file's display name and text, never by timestamps: a file
 * rewritten within one clock tick (the racy case `parseCache.ts` guards against) cannot be
 * mistaken for its old self. The whole file is thrown away when the code that produces the
 * results changes (the fingerprint). The cache is an optimisation only: every problem reading it
 * means "empty", every problem writing it is ignored.
 *
 * An entry is served without the schema seeing it again, so a file is used only when it carries
 * the HMAC of its content under the cache directory's key (`cacheKey.ts`, readable by this user
 * only). A file that some other process could write into the directory but that could not read
 * the key — or a file copied from another machine — thus never becomes an app past the schema;
 * checking the file's owner alone did not stop that (a symbolic link passed it). Re-validating
 * every entry instead would load the YAML and schema libraries on every hit, which is what the
 * cache saves; the HMAC costs ~2 ms a MB.
 */
export class DiskParseCache {
  readonly #file: string;
  readonly #fingerprint: string;
  readonly #key: Buffer;
  /** What the file holds, as far as this process knows; undefined until first needed. */
  #stored: StoredCache | undefined;
  /** The entries the current load used: exactly what the file should hold after it. */
  #used = new Map<string, ParsedManifest>();
  /** The file records the current load confirmed. */
  #usedFiles = new Map<string, FileRecord>();
  /** The key each file (by display name) had in the last load, for files served from memory. */
  #keyOfFile = new Map<string, string>();
  #nextKeyOfFile = new Map<string, string>();

  constructor(options: { file: string; fingerprint: string; key: Buffer }) {
    this.#file = options.file;
    this.#fingerprint = options.fingerprint;
    this.#key = options.key;
  }

  /** Starts a load, forgetting what a load that failed before its commit had used. */
  begin(): void {
    this.#used = new Map();
    this.#usedFiles = new Map();
    this.#nextKeyOfFile = new Map();
  }

  /** The entry key of a file's text; the display name is part of it because errors quote it. */
  keyOf(display: string, text: string): string {
    return createHash("sha256").update(display).update("\u0000").update(text).digest("hex");
  }

  /** The stored result for this key, or undefined when the text must be parsed. */
  get(key: string, display: string): ParsedManifest | undefined {
    const stored = this.#load().entries.get(key);
    if (!isParsedManifest(stored)) return undefined;
    this.#use(key, display, stored);
    return stored;
  }

  set(key: string, display: string, parsed: ParsedManifest): void {
    this.#load();
    this.#use(key, display, parsed);
  }

  /**
   * Keeps the entry a file had in the previous load, for a file whose result came from the
   * in-memory cache without being read; false when this cache does not know the file, so the
   * caller must read it and use `get`/`set`.
   */
  keep(display: string): boolean {
    const key = this.#keyOfFile.get(display);
    const stored = key === undefined ? undefined : this.#load().entries.get(key);
    if (key === undefined || !isParsedManifest(stored)) return false;
    this.#use(key, display, stored);
    const record = this.#load().files.get(display);
    if (record?.key === key) this.#usedFiles.set(display, record);
    return true;
  }

  /**
   * The result of a file that an earlier process read when it had this very stat (and read it
   * well after its last change, so the stat identifies the text): no need to read it again.
   */
  getByStat(display: string, stat: string): ParsedManifest | undefined {
    const record = this.#load().files.get(display);
    if (record?.stat !== stat) return undefined;
    const stored = this.#load().entries.get(record.key);
    if (!isParsedManifest(stored)) return undefined;
    this.#use(record.key, display, stored);
    this.#usedFiles.set(display, record);
    return stored;
  }

  /** Records that the file with this stat holds the text of entry `key` (the read was settled). */
  recordStat(display: string, stat: string, key: string, contentKey?: string): void {
    this.#usedFiles.set(
      display,
      contentKey === undefined ? { stat, key } : { stat, key, content: contentKey },
    );
  }

  /** The content key recorded with the file's stat, once this load took or recorded it. */
  contentKeyOf(display: string): string | undefined {
    return this.#usedFiles.get(display)?.content;
  }

  /**
   * Ends a load: writes the file when this load used other entries than it holds. With
   * `deferWriteMs` (a long-running process), the write happens that much later, once for any
   * number of loads in between: it costs ~25 ms of CPU at 1000 files, which would otherwise sit
   * between an edit and its update. A process that exits first only leaves the cache older, so
   * the timer (on `clock`, by default one that does not keep the process alive) never holds it.
   */
  commit(options: { deferWriteMs?: number; clock?: Clock } = {}): void {
    const clock = options.clock ?? backgroundClock;
    const stored = this.#load();
    const used = this.#used;
    const usedFiles = this.#usedFiles;
    const changed =
      used.size !== stored.entries.size ||
      [...used.keys()].some((key) => !stored.entries.has(key)) ||
      usedFiles.size !== stored.files.size ||
      [...usedFiles].some(([display, record]) => {
        const old = stored.files.get(display);
        return old?.stat !== record.stat || old.key !== record.key || old.content !== record.content;
      });
    this.#stored = { entries: used, files: usedFiles };
    this.#used = new Map();
    this.#usedFiles = new Map();
    this.#keyOfFile = this.#nextKeyOfFile;
    this.#nextKeyOfFile = new Map();
    if (!changed) return;
    if (options.deferWriteMs === undefined) {
      this.#write(this.#stored, clock.now());
      return;
    }
    if (this.#pendingWrite !== undefined) return;
    this.#pendingWrite = clock.setTimeout(() => {
      this.#pendingWrite = undefined;
      if (this.#stored) this.#write(this.#stored, clock.now());
    }, options.deferWriteMs);
  }

  /** The deferred write's timer; undefined when none is pending. */
  #pendingWrite: TimerHandle;

  #use(key: string, display: string, parsed: ParsedManifest): void {
    this.#used.set(key, parsed);
    this.#nextKeyOfFile.set(display, key);
  }

  #load(): StoredCache {
    this.#stored ??= readCacheFile(this.#file, this.#fingerprint, this.#key);
    return this.#stored;
  }

  #write(stored: StoredCache, now: number): void {
    writeCacheFile(this.#file, this.#key, this.#fingerprint, stored, now);
  }
}

const instances = new Map<string, DiskParseCache>();
/**
 * The disk cache of one apps directory, loaded lazily and kept for the process's life; undefined
 * when caching is off or impossible.
 */
export function diskParseCacheFor(
  appsDir: string,
  env: NodeJS.ProcessEnv = process.env,
): DiskParseCache | undefined {
  const cacheDir = cacheDirectory(env);
  if (cacheDir === undefined) return undefined;
  let real: string;
  try {
    real = realpathSync(appsDir);
  } catch {
    return undefined;
  }
  const file = cacheFileFor(cacheDir, real);
  let cache = instances.get(file);
  if (cache) {
    instances.delete(file);
  } else {
    const fingerprint = codeFingerprint();
    const key = keyOfCacheDirectory(cacheDir);
    if (fingerprint === undefined || key === undefined) return undefined;
    cache = new DiskParseCache({ file, fingerprint, key });
    if (instances.size >= MAX_INSTANCES) instances.delete(instances.keys().next().value!);
  }
  instances.set(file, cache);
  cache.begin();
  return cache;
}
