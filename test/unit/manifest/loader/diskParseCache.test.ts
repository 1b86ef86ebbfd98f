import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cacheDirectory, cacheFileFor } from "../../../../src/manifest/loader/cacheDirectory.js";
import { MAX_CACHE_FILES } from "../../../../src/manifest/loader/cacheFile.js";
import { DiskParseCache, diskParseCacheFor } from "../../../../src/manifest/loader/diskParseCache.js";
import {
  codeFingerprint,
  fingerprintOf,
  packageVersion,
} from "../../../../src/manifest/loader/fingerprint.js";
import { emptyParse } from "../../../../src/manifest/emptyParse.js";
import type { ParsedManifest } from "../../../../src/manifest/parseManifest.js";
import type { DesiredState } from "../../../../src/manifest/types.js";
import { ManualClock } from "../../../support/manualClock.js";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const manifestDir = join(repoRoot, "src/manifest");

const manifest = (name: string, extra = "") =>
  `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n  image: busybox\n${extra}`;

let root: string;
let apps: string;
let cacheDir: string;
const savedEnv = { ...process.env };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "alacrity-diskcache-"));
  apps = join(root, "apps");
  cacheDir = join(root, "cache");
  mkdirSync(apps);
  process.env["ALACRITY_CACHE_DIR"] = cacheDir;
});
afterEach(() => {
  vi.doUnmock("../../../../src/manifest/parseManifest.js");
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
  rmSync(root, { recursive: true, force: true });
});

function write(relative: string, text: string): void {
  const path = join(apps, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A mix of valid apps, an invalid document, a syntax error and a multi-document file. */
function writeMixedDirectory(): void {
  write("web.yaml", manifest("web", "  ports: [{target: 80, published: 8080}]\n"));
  write("team/db.yml", manifest("db", "  persistent: true\n  command: [sleep, '3600']\n"));
  write("bad.yaml", manifest("bad", "  replicas: -1\n  unknownField: 1\n"));
  write("broken.yaml", "key: [unclosed\n");
  write("multi.yaml", `${manifest("one")}---\n${manifest("two", "  replicas: x\n")}`);
}

/** `loadDesiredState` of a new module graph: what a new process would run, caches empty. */
async function freshLoad(dir = apps, clock?: ManualClock): Promise<DesiredState> {
  vi.resetModules();
  const { loadDesiredState } = await import("../../../../src/manifest/loader/index.js");
  return loadDesiredState(dir, { clock });
}

/** Like `freshLoad`, in a module graph whose parser throws: succeeds only if nothing is parsed. */
async function freshLoadWithoutParsing(dir = apps): Promise<DesiredState> {
  vi.resetModules();
  vi.doMock("../../../../src/manifest/parseManifest.js", () => ({
    parseManifest: () => {
      throw new Error("parsed although every file should come from the disk cache");
    },
  }));
  try {
    const { loadDesiredState } = await import("../../../../src/manifest/loader/index.js");
    return await loadDesiredState(dir);
  } finally {
    vi.doUnmock("../../../../src/manifest/parseManifest.js");
  }
}

/** A load as if it ran 10 s from now: every file was last changed more than 2 s before. */
function laterLoad(): Promise<DesiredState> {
  return freshLoad(apps, new ManualClock(Date.now() + 10_000));
}

const cacheFile = () => cacheFileFor(cacheDir, realpathSync(apps));
const MAC_LINE = /^[0-9a-f]{64}\n/;

/** The JSON content of a cache file, after its MAC line. */
function readCacheJson<T = { entries: Record<string, ParsedManifest> }>(file = cacheFile()): T {
  const text = readFileSync(file, "utf8");
  return JSON.parse(MAC_LINE.test(text) ? text.slice(65) : text) as T;
}

/** The key in a cache directory, if any. */
function keyIn(dir: string): Buffer | undefined {
  const path = join(dir, "parse-key");
  return existsSync(path) ? readFileSync(path) : undefined;
}

/**
 * Writes a cache file as a process holding `key` would (by default the directory's key): the
 * HMAC-SHA256, over the file's name, a NUL and the JSON, in hex on the first line. Written out
 * here rather than taken from the module, as a second statement of the format. Without a key,
 * plain JSON (the format before the MAC).
 */
function writeCacheJson(content: unknown, file = cacheFile(), key = keyIn(dirname(file))): void {
  const json = JSON.stringify(content);
  if (key === undefined) {
    writeFileSync(file, json);
    return;
  }
  const mac = createHmac("sha256", key).update(basename(file)).update("\u0000").update(json).digest("hex");
  writeFileSync(file, `${mac}\n${json}`);
}

const storedEntries = () => Object.keys(readCacheJson().entries);

describe("the disk parse cache, through loadDesiredState", () => {
  it("gives a new process exactly the state parsing gives, errors and positions included", async () => {
    writeMixedDirectory();
    const parsed = await freshLoad();
    expect(parsed.errors.length).toBeGreaterThan(2);
    expect(parsed.invalid.map((i) => i.name ?? "(unnamed)").sort()).toEqual(["(unnamed)", "bad", "two"]);
    expect(existsSync(cacheFile())).toBe(true);
    const cached = await freshLoadWithoutParsing();
    expect(cached).toStrictEqual(parsed);
    expect(cached.apps.get("web")?.positions).toStrictEqual(parsed.apps.get("web")?.positions);
  });

  it("parses an edited file again even with the same size and modification time", async () => {
    const path = join(apps, "web.yaml");
    write("web.yaml", manifest("web", "  replicas: 1\n"));
    // Whole seconds, so that setting the time again gives exactly the same stamp.
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const before = statSync(path);
    expect((await freshLoad()).apps.get("web")?.replicas).toBe(1);
    write("web.yaml", manifest("web", "  replicas: 2\n"));
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const after = statSync(path);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect((await freshLoad()).apps.get("web")?.replicas).toBe(2);
    expect(storedEntries()).toHaveLength(1);
  });

  it("does not share entries between two names of a file, since errors quote the name", async () => {
    write("a.yaml", manifest("a", "  replicas: -1\n"));
    await freshLoad();
    const other = join(root, "link");
    symlinkSync(apps, other);
    const state = await freshLoad(other);
    expect(state.errors[0]?.file).toBe(`${other}/a.yaml`);
  });

  it("ignores a corrupt cache file and writes a good one", async () => {
    write("web.yaml", manifest("web"));
    write("db.yaml", manifest("db"));
    mkdirSync(cacheDir, { mode: 0o700 });
    writeFileSync(cacheFile(), '{"format":1,"fingerprint":"x","entries":{"a');
    expect([...(await freshLoad()).apps.keys()].sort()).toEqual(["db", "web"]);
    expect(storedEntries()).toHaveLength(2);
    expect([...(await freshLoadWithoutParsing()).apps.keys()].sort()).toEqual(["db", "web"]);
  });

  it("ignores a cache file of the wrong shape", async () => {
    write("web.yaml", manifest("web"));
    await freshLoad();
    const content = readCacheJson<{ entries: Record<string, unknown> }>();
    for (const key of Object.keys(content.entries)) content.entries[key] = { apps: "nope" };
    writeCacheJson(content);
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
    writeCacheJson([]);
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
    await expect(freshLoadWithoutParsing()).resolves.toBeDefined();
  });

  it("writes nothing anywhere when ALACRITY_CACHE_DIR is off", async () => {
    write("web.yaml", manifest("web"));
    process.env["ALACRITY_CACHE_DIR"] = "off";
    process.env["XDG_CACHE_HOME"] = join(root, "xdg");
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
    expect(readdirSync(root).sort()).toEqual(["apps"]);
    await expect(freshLoadWithoutParsing()).rejects.toThrow(/parsed although/);
  });

  it("loads normally when the cache directory cannot be created", async () => {
    write("web.yaml", manifest("web"));
    writeFileSync(join(root, "plain-file"), "");
    // Under a regular file: fails even for root, who may write anywhere else.
    process.env["ALACRITY_CACHE_DIR"] = join(root, "plain-file", "cache");
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
  });

  it("keeps exactly the entries of the last load", async () => {
    write("a.yaml", manifest("a"));
    write("b.yaml", manifest("b"));
    write("c.yaml", manifest("c"));
    await freshLoad();
    expect(storedEntries()).toHaveLength(3);
    rmSync(join(apps, "c.yaml"));
    write("b.yaml", manifest("b", "  replicas: 3\n"));
    await freshLoad();
    expect(storedEntries()).toHaveLength(2);
    expect((await freshLoadWithoutParsing()).apps.get("b")?.replicas).toBe(3);
  });

  it("keeps the entries of files a daemon's reload took from its in-memory cache", async () => {
    write("a.yaml", manifest("a"));
    write("b.yaml", manifest("b"));
    vi.resetModules();
    const { loadDesiredState } = await import("../../../../src/manifest/loader/index.js");
    // Long after the writes: the in-memory cache trusts its stat keys.
    const clock = new ManualClock(Date.now() + 60_000);
    await loadDesiredState(apps, { clock });
    const first = statSync(cacheFile());
    await loadDesiredState(apps, { clock });
    // Nothing changed: the file is not rewritten (a rename would give it a new inode).
    expect(statSync(cacheFile()).ino).toBe(first.ino);
    write("c.yaml", manifest("c"));
    await loadDesiredState(apps, { clock });
    expect(storedEntries()).toHaveLength(3);
    expect([...(await freshLoadWithoutParsing()).apps.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  it("with a deferred write (the daemon), writes once, later, for any number of reloads", async () => {
    write("a.yaml", manifest("a"));
    vi.resetModules();
    const { loadDesiredState } = await import("../../../../src/manifest/loader/index.js");
    const clock = new ManualClock(Date.now());
    await loadDesiredState(apps, { deferCacheWriteMs: 2000, clock });
    expect(existsSync(cacheFile())).toBe(false);
    clock.advance(1000);
    write("b.yaml", manifest("b"));
    await loadDesiredState(apps, { deferCacheWriteMs: 2000, clock });
    expect(existsSync(cacheFile())).toBe(false);
    // The first reload's timer serves the second: the write is not pushed back.
    clock.advance(999);
    expect(existsSync(cacheFile())).toBe(false);
    clock.advance(1);
    expect(storedEntries()).toHaveLength(2);
    expect(clock.delays).toEqual([2000]);
    expect([...(await freshLoadWithoutParsing()).apps.keys()].sort()).toEqual(["a", "b"]);
  });

  it("does not rewrite the file when a new process finds every entry it needs", async () => {
    writeMixedDirectory();
    await freshLoad();
    const before = statSync(cacheFile());
    await freshLoad();
    const after = statSync(cacheFile());
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("does not cache files that could not be read", async () => {
    write("web.yaml", manifest("web"));
    write("binary.yaml", "\u0000\u0001\u0002");
    symlinkSync(join(apps, "gone"), join(apps, "dangling.yaml"));
    const state = await freshLoad();
    expect([...state.failedFiles].sort()).toEqual(["binary.yaml", "dangling.yaml"]);
    expect(storedEntries()).toHaveLength(1);
  });

  it("keeps at most 64 cache files, removing the least recently written", async () => {
    mkdirSync(cacheDir, { mode: 0o700 });
    const others = Array.from({ length: MAX_CACHE_FILES + 5 }, (_, i) => {
      const path = join(cacheDir, `parse-${i.toString(16).padStart(16, "0")}.json`);
      writeFileSync(path, "{}");
      const seconds = 1_000_000 + i;
      utimesSync(path, seconds, seconds);
      return path;
    });
    const stale = join(cacheDir, "parse-00000000000000ff.json.1.x.tmp");
    writeFileSync(stale, "");
    utimesSync(stale, 1_000_000, 1_000_000);
    write("web.yaml", manifest("web"));
    await freshLoad();
    const left = readdirSync(cacheDir).filter((name) => name.endsWith(".json"));
    expect(left).toHaveLength(MAX_CACHE_FILES);
    expect(left).toContain(cacheFile().slice(cacheDir.length + 1));
    expect(others.slice(0, 6).some((path) => existsSync(path))).toBe(false);
    expect(others.slice(6).every((path) => existsSync(path))).toBe(true);
  });

  it("validate always parses, so it never shows what a cache holds", async () => {
    write("web.yaml", manifest("web", "  replicas: 1\n"));
    await freshLoad();
    vi.resetModules();
    vi.doMock("../../../../src/manifest/parseManifest.js", () => ({
      parseManifest: () => {
        throw new Error("parsed");
      },
    }));
    const { validatePaths } = await import("../../../../src/manifest/loader/index.js");
    await expect(validatePaths([apps])).rejects.toThrow("parsed");
  });
});

describe("files read well after their last change", () => {
  type Content = { files: Record<string, { stat: string; key: string }> };
  const storedFiles = () => readCacheJson<Content>().files;

  it("are taken by their stat in a later process, without being read", async () => {
    write("a.yaml", manifest("a"));
    write("b.yaml", manifest("b"));
    await laterLoad();
    const files = storedFiles();
    expect(Object.keys(files).sort()).toEqual([join(apps, "a.yaml"), join(apps, "b.yaml")]);
    // Point each file's record at the other's entry: only a load that does not read the files
    // can then see app a in b.yaml.
    const content = readCacheJson<Content>();
    const a = content.files[join(apps, "a.yaml")]!;
    const b = content.files[join(apps, "b.yaml")]!;
    [a.key, b.key] = [b.key, a.key];
    writeCacheJson(content);
    const swapped = await freshLoadWithoutParsing();
    expect(swapped.apps.get("a")?.file).toBe("b.yaml");
    expect(swapped.apps.get("b")?.file).toBe("a.yaml");
  });

  it("are read again once their stat changes", async () => {
    const path = join(apps, "a.yaml");
    write("a.yaml", manifest("a", "  replicas: 1\n"));
    await laterLoad();
    expect(Object.keys(storedFiles())).toEqual([path]);
    // Same size; the modification time set apart so the stat surely differs from the recorded one.
    write("a.yaml", manifest("a", "  replicas: 2\n"));
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    expect((await freshLoad()).apps.get("a")?.replicas).toBe(2);
  });

  it("are not taken by their stat when they were read right after a change", async () => {
    write("a.yaml", manifest("a"));
    await freshLoad();
    expect(storedFiles()).toEqual({});
  });
});

describe("a cache directory others may reach", () => {
  /** Loads twice in one module graph, as a daemon reloads, collecting the warnings printed. */
  async function loadTwiceWarning(): Promise<{ state: DesiredState; warnings: string[] }> {
    const warnings: string[] = [];
    const spy = vi.spyOn(process, "emitWarning").mockImplementation((warning: string | Error) => {
      warnings.push(String(warning));
    });
    vi.resetModules();
    const { loadDesiredState } = await import("../../../../src/manifest/loader/index.js");
    await loadDesiredState(apps);
    const state = await loadDesiredState(apps);
    spy.mockRestore();
    return { state, warnings };
  }

  it("does not follow a symbolic link planted as the cache file", async () => {
    write("a.yaml", manifest("a"));
    await laterLoad();
    // The control: the genuine cache serves a later process by the file's stat alone.
    expect([...(await freshLoadWithoutParsing()).apps.keys()]).toEqual(["a"]);
    const content = readCacheJson();
    for (const entry of Object.values(content.entries)) entry.apps[0]!.name = "planted";
    const elsewhere = join(root, "elsewhere");
    mkdirSync(elsewhere);
    const crafted = join(elsewhere, basename(cacheFile()));
    // Signed as a process holding the key would: only the link is wrong.
    writeCacheJson(content, crafted, keyIn(cacheDir));
    rmSync(cacheFile());
    symlinkSync(crafted, cacheFile());
    expect([...(await freshLoad()).apps.keys()]).toEqual(["a"]);
    // The link was replaced by a genuine cache file; the crafted file is untouched.
    expect(lstatSync(cacheFile()).isSymbolicLink()).toBe(false);
    expect(readCacheJson(crafted)).toStrictEqual(content);
    expect([...(await freshLoadWithoutParsing()).apps.keys()]).toEqual(["a"]);
  });

  it("serves what a file signed with the key holds, ignores one without the MAC of its content", async () => {
    write("web.yaml", manifest("web", "  replicas: 1\n"));
    await freshLoad();
    const content = readCacheJson();
    for (const entry of Object.values(content.entries)) entry.apps[0]!.replicas = 7;
    // The control, and the proof that results do come from the file: signed with the
    // directory's key, the edited entry is served.
    writeCacheJson(content);
    expect((await freshLoad()).apps.get("web")?.replicas).toBe(7);
    const unsigned = () => writeFileSync(cacheFile(), JSON.stringify(content));
    const otherKey = () => writeCacheJson(content, cacheFile(), randomBytes(32));
    const otherFile = () => {
      const json = JSON.stringify(content);
      const mac = createHmac("sha256", keyIn(cacheDir)!).update("parse-0000000000000000.json\u0000");
      writeFileSync(cacheFile(), `${mac.update(json).digest("hex")}\n${json}`);
    };
    for (const tamper of [unsigned, otherKey, otherFile]) {
      tamper();
      expect((await freshLoad()).apps.get("web")?.replicas).toBe(1);
      expect(Object.values(readCacheJson().entries)[0]?.apps[0]?.replicas).toBe(1);
      expect((await freshLoadWithoutParsing()).apps.get("web")?.replicas).toBe(1);
    }
  });

  it("opens a FIFO planted as the cache file without waiting for a writer", async () => {
    write("web.yaml", manifest("web"));
    mkdirSync(cacheDir, { mode: 0o700 });
    await run("mkfifo", [cacheFile()]);
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
    expect(lstatSync(cacheFile()).isFile()).toBe(true);
    expect([...(await freshLoadWithoutParsing()).apps.keys()]).toEqual(["web"]);
  });

  it("is turned off, with one warning, when group or others can write to it, it is a link, or not ours", async () => {
    write("web.yaml", manifest("web"));
    await freshLoad();
    // The control: as created (private), the cache serves a later process.
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    await expect(freshLoadWithoutParsing()).resolves.toBeDefined();
    const link = join(root, "cache-link");
    symlinkSync(cacheDir, link);
    const uid = process.getuid!();
    const cases: [string, () => void, RegExp][] = [
      ["group-writable", () => chmodSync(cacheDir, 0o770), /writable by group or others \(mode 770\)/],
      ["sticky and world-writable", () => chmodSync(cacheDir, 0o1777), /writable by group or others/],
      ["a link", () => (process.env["ALACRITY_CACHE_DIR"] = link), /is a symbolic link/],
      ["not ours", () => vi.spyOn(process, "getuid").mockReturnValue(uid + 1), /is owned by uid/],
    ];
    for (const [what, setUp, problem] of cases) {
      setUp();
      await expect(freshLoadWithoutParsing(), what).rejects.toThrow(/parsed although/);
      const { state, warnings } = await loadTwiceWarning();
      expect([...state.apps.keys()], what).toEqual(["web"]);
      expect(warnings, what).toHaveLength(1);
      expect(warnings[0], what).toMatch(problem);
      expect(warnings[0], what).toMatch(/parse cache is off/);
      chmodSync(cacheDir, 0o700);
      process.env["ALACRITY_CACHE_DIR"] = cacheDir;
      vi.restoreAllMocks();
    }
    await expect(freshLoadWithoutParsing()).resolves.toBeDefined();
  });

  it("keeps its key private, made once, and refuses a key file that is a link or others can read", async () => {
    write("web.yaml", manifest("web"));
    await freshLoad();
    const keyFile = join(cacheDir, "parse-key");
    const made = statSync(keyFile);
    expect([made.mode & 0o777, made.size]).toEqual([0o600, 32]);
    await freshLoad();
    expect(statSync(keyFile).ino).toBe(made.ino);
    // The key comes from that file: with another key in it, the cache file no longer verifies.
    const key = readFileSync(keyFile);
    writeFileSync(keyFile, randomBytes(32));
    await expect(freshLoadWithoutParsing()).rejects.toThrow(/parsed although/);
    writeFileSync(keyFile, key);
    await expect(freshLoadWithoutParsing()).resolves.toBeDefined();
    chmodSync(keyFile, 0o644);
    const readable = await loadTwiceWarning();
    expect(readable.warnings).toEqual([expect.stringMatching(/parse-key is readable by group or others/)]);
    chmodSync(keyFile, 0o600);
    const outside = join(root, "key-elsewhere");
    writeFileSync(outside, key, { mode: 0o600 });
    rmSync(keyFile);
    symlinkSync(outside, keyFile);
    await expect(freshLoadWithoutParsing()).rejects.toThrow(/parsed although/);
    const linked = await loadTwiceWarning();
    expect(linked.warnings).toEqual([expect.stringMatching(/parse-key is a symbolic link/)]);
  });
});

describe("DiskParseCache", () => {
  const KEY = randomBytes(32);
  const result: ParsedManifest = emptyParse();

  it("forgets everything when the fingerprint changes", () => {
    const file = join(cacheDir, "parse-0123456789abcdef.json");
    const writer = new DiskParseCache({ file, fingerprint: "code-1", key: KEY });
    const key = writer.keyOf("a.yaml", "text");
    expect(writer.get(key, "a.yaml")).toBeUndefined();
    writer.set(key, "a.yaml", result);
    writer.commit();
    expect(new DiskParseCache({ file, fingerprint: "code-1", key: KEY }).get(key, "a.yaml")).toEqual(result);
    expect(new DiskParseCache({ file, fingerprint: "code-2", key: KEY }).get(key, "a.yaml")).toBeUndefined();
  });

  it("ignores a file of another format number", () => {
    const file = join(cacheDir, "parse-0123456789abcdef.json");
    const writer = new DiskParseCache({ file, fingerprint: "f", key: KEY });
    const key = writer.keyOf("a.yaml", "text");
    writer.set(key, "a.yaml", result);
    writer.commit();
    const content = readCacheJson<{ format: number }>(file);
    writeCacheJson({ ...content, format: content.format + 1 }, file, KEY);
    expect(new DiskParseCache({ file, fingerprint: "f", key: KEY }).get(key, "a.yaml")).toBeUndefined();
  });

  it("does not carry what a failed load used into the next load", () => {
    const cache = diskParseCacheFor(apps)!;
    cache.set(cache.keyOf("a.yaml", "a"), "a.yaml", result);
    // The load failed before its commit; the next load of the directory starts afresh.
    const next = diskParseCacheFor(apps)!;
    expect(next).toBe(cache);
    const key = next.keyOf("b.yaml", "b");
    next.set(key, "b.yaml", result);
    next.commit();
    expect(storedEntries()).toEqual([key]);
  });

  it("keys by name and text", () => {
    const cache = new DiskParseCache({ file: join(cacheDir, "x.json"), fingerprint: "f", key: KEY });
    const key = cache.keyOf("a.yaml", "text");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.keyOf("a.yaml", "text ")).not.toBe(key);
    expect(cache.keyOf("b.yaml", "text")).not.toBe(key);
    expect(cache.keyOf("a.yam", "ltext")).not.toBe(cache.keyOf("a.yaml", "text"));
  });

  it("creates its directory private to the user", () => {
    const file = join(cacheDir, "nested", "parse-0123456789abcdef.json");
    const cache = new DiskParseCache({ file, fingerprint: "f", key: KEY });
    cache.set(cache.keyOf("a", "b"), "a", result);
    cache.commit();
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe("the code fingerprint", () => {
  it("changes with any source file of the manifest layer and with the library versions", () => {
    const copy = join(root, "manifest");
    cpSync(manifestDir, copy, { recursive: true });
    const base = fingerprintOf(copy, ".ts", ["yaml@2", "zod@4"]);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(copy, ".ts", ["yaml@2", "zod@4"])).toBe(base);
    expect(fingerprintOf(copy, ".ts", ["yaml@3", "zod@4"])).not.toBe(base);
    writeFileSync(join(copy, "rules.ts"), `${readFileSync(join(copy, "rules.ts"), "utf8")}\n`);
    const changed = fingerprintOf(copy, ".ts", ["yaml@2", "zod@4"]);
    expect(changed).not.toBe(base);
    // The loader re-labels results it reuses: its code decides them too.
    const relabel = join(copy, "loader", "relabel.ts");
    writeFileSync(relabel, `${readFileSync(relabel, "utf8")}\n`);
    expect(fingerprintOf(copy, ".ts", ["yaml@2", "zod@4"])).not.toBe(changed);
  });

  it("finds the installed yaml and zod versions without importing them", () => {
    const installed = (name: string) =>
      (
        JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
    expect(packageVersion("yaml", manifestDir)).toBe(installed("yaml"));
    expect(packageVersion("zod", manifestDir)).toBe(installed("zod"));
    expect(packageVersion("no-such-package-alacrity", manifestDir)).toBeUndefined();
    expect(packageVersion("yaml", tmpdir())).toBeUndefined();
    expect(codeFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("cacheDirectory", () => {
  it("takes ALACRITY_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache", () => {
    expect(cacheDirectory({ ALACRITY_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x" })).toBe("/c");
    expect(cacheDirectory({ ALACRITY_CACHE_DIR: "off", XDG_CACHE_HOME: "/x" })).toBeUndefined();
    expect(cacheDirectory({ XDG_CACHE_HOME: "/x" })).toBe("/x/alacrity");
    expect(cacheDirectory({ ALACRITY_CACHE_DIR: "", XDG_CACHE_HOME: "/x" })).toBe("/x/alacrity");
    expect(cacheDirectory({ XDG_CACHE_HOME: "relative" })).toMatch(/\/\.cache\/alacrity$/);
    expect(cacheDirectory({})).toMatch(/\/\.cache\/alacrity$/);
  });
});

describe("separate processes", () => {
  /** Fails any import of yaml or zod, so a process that parses anything dies. */
  const blockHook = `
export async function resolve(specifier, context, next) {
  if (/^(yaml|zod)(\\/|$)/.test(specifier)) throw new Error("blocked import of " + specifier);
  return next(specifier, context);
}`;
  const script = `
const { loadDesiredState } = await import(${JSON.stringify(pathToFileURL(join(manifestDir, "loader", "index.ts")).href)});
const state = await loadDesiredState(process.argv[2]);
process.stdout.write(JSON.stringify({ ...state, apps: [...state.apps], failedFiles: [...state.failedFiles] }));
`;

  async function runLoad(blockParsers: boolean): Promise<unknown> {
    const hook = join(root, "block-hook.mjs");
    const register = join(root, "register.mjs");
    const load = join(root, "load.mjs");
    writeFileSync(hook, blockHook);
    writeFileSync(
      register,
      `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
    );
    writeFileSync(load, script);
    const args = ["--import", "tsx", ...(blockParsers ? ["--import", register] : []), load, apps];
    const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env: { ...process.env } });
    return JSON.parse(stdout) as unknown;
  }

  it("a later process gets the same state without loading yaml or zod", async () => {
    writeMixedDirectory();
    // The control: the hook does stop a process that has to parse.
    await expect(runLoad(true)).rejects.toThrow(/blocked import of (yaml|zod)/);
    const parsed = await runLoad(false);
    expect(existsSync(cacheFile())).toBe(true);
    const cached = await runLoad(true);
    expect(cached).toStrictEqual(parsed);
    expect((cached as { errors: unknown[] }).errors.length).toBeGreaterThan(2);
  }, 60_000);
});
