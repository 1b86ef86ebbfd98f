import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, extname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheKeyOf, readOwnFile } from "./cacheKey.js";
import type { ParsedManifest } from "./parseManifest.js";

/** Bumped whenever the layout of the cache file changes. */
const FORMAT = 3;
/** A cache file is the hex HMAC-SHA256 of its content, a newline, then the content (JSON). */
const MAC_HEX_LENGTH = 64;
/** Cache files (one per apps directory) kept in the cache directory; older ones are deleted. */
export const MAX_CACHE_FILES = 64;
/** Cache instances (apps directories) a process remembers at once. */
const MAX_INSTANCES = 8;
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

interface FileRecord {
  stat: string;
  key: string;
}

interface StoredCache {
  entries: Map<string, unknown>;
  files: Map<string, FileRecord>;
}

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
  recordStat(display: string, stat: string, key: string): void {
    this.#usedFiles.set(display, { stat, key });
  }

  /**
   * Ends a load: writes the file when this load used other entries than it holds. With
   * `deferWriteMs` (a long-running process), the write happens that much later, once for any
   * number of loads in between: it costs ~25 ms of CPU at 1000 files, which would otherwise sit
   * between an edit and its update. A process that exits first only leaves the cache older.
   */
  commit(options: { deferWriteMs?: number } = {}): void {
    const stored = this.#load();
    const used = this.#used;
    const usedFiles = this.#usedFiles;
    const changed =
      used.size !== stored.entries.size ||
      [...used.keys()].some((key) => !stored.entries.has(key)) ||
      usedFiles.size !== stored.files.size ||
      [...usedFiles].some(([display, record]) => {
        const old = stored.files.get(display);
        return old?.stat !== record.stat || old.key !== record.key;
      });
    this.#stored = { entries: used, files: usedFiles };
    this.#used = new Map();
    this.#usedFiles = new Map();
    this.#keyOfFile = this.#nextKeyOfFile;
    this.#nextKeyOfFile = new Map();
    if (!changed) return;
    if (options.deferWriteMs === undefined) {
      this.#write(this.#stored);
      return;
    }
    if (this.#pendingWrite !== undefined) return;
    this.#pendingWrite = setTimeout(() => {
      this.#pendingWrite = undefined;
      if (this.#stored) this.#write(this.#stored);
    }, options.deferWriteMs);
    this.#pendingWrite.unref();
  }

  #pendingWrite: ReturnType<typeof setTimeout> | undefined;

  #use(key: string, display: string, parsed: ParsedManifest): void {
    this.#used.set(key, parsed);
    this.#nextKeyOfFile.set(display, key);
  }

  #load(): StoredCache {
    this.#stored ??= readCacheFile(this.#file, this.#fingerprint, this.#key);
    return this.#stored;
  }

  #write(stored: StoredCache): void {
    const dir = dirname(this.#file);
    const temp = `${this.#file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const content: CacheFileContent = {
        format: FORMAT,
        fingerprint: this.#fingerprint,
        entries: Object.fromEntries(stored.entries),
        files: Object.fromEntries(stored.files),
      };
      const json = JSON.stringify(content);
      const mac = macOf(this.#key, this.#file, json).toString("hex");
      // "wx": never follow a link or reuse a file someone placed at the temporary name.
      writeFileSync(temp, `${mac}\n${json}`, { mode: 0o600, flag: "wx" });
      // Atomic: a concurrent reader sees the old file or the new one, and the last writer wins.
      renameSync(temp, this.#file);
    } catch {
      // A read-only home or a full disk only costs the next process a parse.
      removeQuietly(temp);
      return;
    }
    pruneCacheFiles(dir, Date.now());
  }
}

function readCacheFile(file: string, fingerprint: string, key: Buffer): StoredCache {
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
      const { stat, key } = (record ?? {}) as Partial<FileRecord>;
      if (typeof stat === "string" && typeof key === "string") files.set(display, { stat, key });
    }
    return { entries: new Map(Object.entries(content.entries)), files };
  } catch {
    return empty();
  }
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
function isParsedManifest(value: unknown): value is ParsedManifest {
  if (typeof value !== "object" || value === null) return false;
  const { apps, invalid, errors } = value as Record<string, unknown>;
  return Array.isArray(apps) && Array.isArray(invalid) && Array.isArray(errors);
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

/**
 * Where cache files go: `ALACRITY_CACHE_DIR` (`off` disables the cache), else
 * `$XDG_CACHE_HOME/alacrity`, else `~/.cache/alacrity`. Undefined means no cache.
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env["ALACRITY_CACHE_DIR"];
  if (configured === "off") return undefined;
  if (configured) return configured;
  // The XDG spec says a relative value is invalid and must be ignored.
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg && isAbsolute(xdg)) return join(xdg, "alacrity");
  try {
    return join(homedir(), ".cache", "alacrity");
  } catch {
    return undefined;
  }
}

/** The cache file of one apps directory, named by its real path. */
export function cacheFileFor(cacheDir: string, realAppsDir: string): string {
  const id = createHash("sha256").update(realAppsDir).digest("hex").slice(0, 16);
  return join(cacheDir, `parse-${id}.json`);
}

/**
 * A hash of everything that decides a parse result: the source of this layer's modules (the
 * files next to this one, `.js` when built, `.ts` under tsx) and the versions of the YAML and
 * schema libraries. Undefined when it cannot be known: then nothing is cached.
 */
export function fingerprintOf(
  moduleDir: string,
  extension: string,
  versions: readonly string[],
): string | undefined {
  try {
    const hash = createHash("sha256").update(`format ${FORMAT}\u0000`);
    const names = readdirSync(moduleDir)
      .filter((name) => name.endsWith(extension) && !name.endsWith(`.d${extension}`))
      .sort();
    if (names.length === 0) return undefined;
    for (const name of names) {
      hash
        .update(name)
        .update("\u0000")
        .update(readFileSync(join(moduleDir, name)))
        .update("\u0000");
    }
    for (const version of versions) hash.update(version).update("\u0000");
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

/**
 * The version of an installed package, found without importing it (importing is what the cache
 * saves): the `node_modules/NAME/package.json` nearest to `fromDir`, where Node's resolution of
 * a bare `import` from that directory finds the package. (`createRequire().resolve` finds the
 * same, at 3-5 ms a package.) Undefined when not there, e.g. found through NODE_PATH.
 */
export function packageVersion(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (basename(dir) !== "node_modules") {
      const version = versionIn(join(dir, "node_modules", name, "package.json"), name);
      if (version !== undefined) return version;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function versionIn(packageJson: string, name: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(packageJson, "utf8");
  } catch {
    return undefined;
  }
  try {
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    return pkg.name === name && typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fingerprint of the manifest layer's sources, computed by scripts/bundle-cli.mjs with
 * `fingerprintOf` and written into the bundled binary, which has no separate sources to read.
 */
declare const ALACRITY_PARSE_FINGERPRINT: string | undefined;

let codeFingerprintMemo: { value: string | undefined } | undefined;

/**
 * This process's fingerprint: the bundled binary's own, else computed on first use from the
 * modules next to this one (a few ms: some small files read).
 */
export function codeFingerprint(): string | undefined {
  if (typeof ALACRITY_PARSE_FINGERPRINT === "string") return ALACRITY_PARSE_FINGERPRINT;
  if (!codeFingerprintMemo) {
    const modulePath = fileURLToPath(import.meta.url);
    const versions = ["yaml", "zod"].map(
      (name) => `${name}@${packageVersion(name, dirname(modulePath)) ?? "?"}`,
    );
    const value = versions.some((v) => v.endsWith("@?"))
      ? undefined
      : fingerprintOf(dirname(modulePath), extname(modulePath), versions);
    codeFingerprintMemo = { value };
  }
  return codeFingerprintMemo.value;
}

const instances = new Map<string, DiskParseCache>();
/** The key of each cache directory this process looked at; undefined: that cache is off. */
const keys = new Map<string, Buffer | undefined>();

/**
 * The key of a cache directory, checked once a process. A directory that cannot be trusted turns
 * the cache off with one warning (on stderr, as Node prints warnings): loading works the same,
 * only slower, so it must neither fail a command nor repeat on every reload of a daemon.
 */
function keyOfCacheDirectory(cacheDir: string): Buffer | undefined {
  if (keys.has(cacheDir)) return keys.get(cacheDir);
  const { key, problem } = cacheKeyOf(cacheDir);
  if (problem)
    process.emitWarning(
      `the parse cache is off: ${problem}, or set ALACRITY_CACHE_DIR to a private directory (or to off)`,
      { code: "ALACRITY_CACHE_UNSAFE" },
    );
  keys.set(cacheDir, key);
  return key;
}

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
