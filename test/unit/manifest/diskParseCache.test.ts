import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
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
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  cacheDirectory,
  cacheFileFor,
  codeFingerprint,
  DiskParseCache,
  diskParseCacheFor,
  fingerprintOf,
  MAX_CACHE_FILES,
  packageVersion,
} from "../../../src/manifest/diskParseCache.js";
import type { ParsedManifest } from "../../../src/manifest/parseManifest.js";
import type { DesiredState } from "../../../src/manifest/types.js";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
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
  vi.doUnmock("../../../src/manifest/parseManifest.js");
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
async function freshLoad(dir = apps): Promise<DesiredState> {
  vi.resetModules();
  const { loadDesiredState } = await import("../../../src/manifest/loadDirectory.js");
  return loadDesiredState(dir);
}

/** Like `freshLoad`, in a module graph whose parser throws: succeeds only if nothing is parsed. */
async function freshLoadWithoutParsing(dir = apps): Promise<DesiredState> {
  vi.resetModules();
  vi.doMock("../../../src/manifest/parseManifest.js", () => ({
    parseManifest: () => {
      throw new Error("parsed although every file should come from the disk cache");
    },
  }));
  try {
    const { loadDesiredState } = await import("../../../src/manifest/loadDirectory.js");
    return await loadDesiredState(dir);
  } finally {
    vi.doUnmock("../../../src/manifest/parseManifest.js");
  }
}

const cacheFile = () => cacheFileFor(cacheDir, realpathSync(apps));
const storedEntries = () =>
  Object.keys((JSON.parse(readFileSync(cacheFile(), "utf8")) as { entries: object }).entries);

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

  it("serves what the file holds (proof that the result does come from it)", async () => {
    write("web.yaml", manifest("web", "  replicas: 1\n"));
    await freshLoad();
    const content = JSON.parse(readFileSync(cacheFile(), "utf8")) as {
      entries: Record<string, ParsedManifest>;
    };
    for (const entry of Object.values(content.entries)) entry.apps[0]!.replicas = 7;
    writeFileSync(cacheFile(), JSON.stringify(content));
    expect((await freshLoad()).apps.get("web")?.replicas).toBe(7);
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
    mkdirSync(cacheDir);
    writeFileSync(cacheFile(), '{"format":1,"fingerprint":"x","entries":{"a');
    expect([...(await freshLoad()).apps.keys()].sort()).toEqual(["db", "web"]);
    expect(storedEntries()).toHaveLength(2);
    expect([...(await freshLoadWithoutParsing()).apps.keys()].sort()).toEqual(["db", "web"]);
  });

  it("ignores a cache file of the wrong shape", async () => {
    write("web.yaml", manifest("web"));
    await freshLoad();
    const content = JSON.parse(readFileSync(cacheFile(), "utf8")) as { entries: Record<string, unknown> };
    for (const key of Object.keys(content.entries)) content.entries[key] = { apps: "nope" };
    writeFileSync(cacheFile(), JSON.stringify(content));
    expect([...(await freshLoad()).apps.keys()]).toEqual(["web"]);
    writeFileSync(cacheFile(), "[]");
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
    const { loadDesiredState } = await import("../../../src/manifest/loadDirectory.js");
    // Long after the writes: the in-memory cache trusts its stat keys.
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 60_000);
    await loadDesiredState(apps);
    const first = statSync(cacheFile());
    await loadDesiredState(apps);
    // Nothing changed: the file is not rewritten (a rename would give it a new inode).
    expect(statSync(cacheFile()).ino).toBe(first.ino);
    write("c.yaml", manifest("c"));
    await loadDesiredState(apps);
    expect(storedEntries()).toHaveLength(3);
    vi.restoreAllMocks();
    expect([...(await freshLoadWithoutParsing()).apps.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  it("with a deferred write (the daemon), writes once, later, for any number of reloads", async () => {
    write("a.yaml", manifest("a"));
    vi.resetModules();
    const { loadDesiredState } = await import("../../../src/manifest/loadDirectory.js");
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      await loadDesiredState(apps, { deferCacheWriteMs: 2000 });
      expect(existsSync(cacheFile())).toBe(false);
      write("b.yaml", manifest("b"));
      await loadDesiredState(apps, { deferCacheWriteMs: 2000 });
      expect(existsSync(cacheFile())).toBe(false);
      vi.advanceTimersByTime(2000);
      expect(storedEntries()).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
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
    mkdirSync(cacheDir);
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
    const left = readdirSync(cacheDir);
    expect(left).toHaveLength(MAX_CACHE_FILES);
    expect(left).toContain(cacheFile().slice(cacheDir.length + 1));
    expect(others.slice(0, 6).some((path) => existsSync(path))).toBe(false);
    expect(others.slice(6).every((path) => existsSync(path))).toBe(true);
  });

  it("validate always parses, so it never shows what a cache holds", async () => {
    write("web.yaml", manifest("web", "  replicas: 1\n"));
    await freshLoad();
    vi.resetModules();
    vi.doMock("../../../src/manifest/parseManifest.js", () => ({
      parseManifest: () => {
        throw new Error("parsed");
      },
    }));
    const { validatePaths } = await import("../../../src/manifest/loadDirectory.js");
    await expect(validatePaths([apps])).rejects.toThrow("parsed");
  });
});

describe("files read well after their last change", () => {
  type Content = { files: Record<string, { stat: string; key: string }> };
  const storedFiles = () => (JSON.parse(readFileSync(cacheFile(), "utf8")) as Content).files;
  /** A load as if it ran 10 s from now: every file was last changed more than 2 s before. */
  const laterLoad = async (): Promise<DesiredState> => {
    const now = Date.now() + 10_000;
    vi.spyOn(Date, "now").mockReturnValue(now);
    try {
      return await freshLoad();
    } finally {
      vi.restoreAllMocks();
    }
  };

  it("are taken by their stat in a later process, without being read", async () => {
    write("a.yaml", manifest("a"));
    write("b.yaml", manifest("b"));
    await laterLoad();
    const files = storedFiles();
    expect(Object.keys(files).sort()).toEqual([join(apps, "a.yaml"), join(apps, "b.yaml")]);
    // Point each file's record at the other's entry: only a load that does not read the files
    // can then see app a in b.yaml.
    const content = JSON.parse(readFileSync(cacheFile(), "utf8")) as Content;
    const a = content.files[join(apps, "a.yaml")]!;
    const b = content.files[join(apps, "b.yaml")]!;
    [a.key, b.key] = [b.key, a.key];
    writeFileSync(cacheFile(), JSON.stringify(content));
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

describe("DiskParseCache", () => {
  const result: ParsedManifest = { apps: [], invalid: [], errors: [] };

  it("forgets everything when the fingerprint changes", () => {
    const file = join(cacheDir, "parse-0123456789abcdef.json");
    const writer = new DiskParseCache({ file, fingerprint: "code-1" });
    const key = writer.keyOf("a.yaml", "text");
    expect(writer.get(key, "a.yaml")).toBeUndefined();
    writer.set(key, "a.yaml", result);
    writer.commit();
    expect(new DiskParseCache({ file, fingerprint: "code-1" }).get(key, "a.yaml")).toEqual(result);
    expect(new DiskParseCache({ file, fingerprint: "code-2" }).get(key, "a.yaml")).toBeUndefined();
  });

  it("ignores a file of another format number", () => {
    const file = join(cacheDir, "parse-0123456789abcdef.json");
    const writer = new DiskParseCache({ file, fingerprint: "f" });
    const key = writer.keyOf("a.yaml", "text");
    writer.set(key, "a.yaml", result);
    writer.commit();
    const content = JSON.parse(readFileSync(file, "utf8")) as { format: number };
    writeFileSync(file, JSON.stringify({ ...content, format: content.format + 1 }));
    expect(new DiskParseCache({ file, fingerprint: "f" }).get(key, "a.yaml")).toBeUndefined();
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
    const cache = new DiskParseCache({ file: join(cacheDir, "x.json"), fingerprint: "f" });
    const key = cache.keyOf("a.yaml", "text");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.keyOf("a.yaml", "text ")).not.toBe(key);
    expect(cache.keyOf("b.yaml", "text")).not.toBe(key);
    expect(cache.keyOf("a.yam", "ltext")).not.toBe(cache.keyOf("a.yaml", "text"));
  });

  it("creates its directory private to the user", () => {
    const file = join(cacheDir, "nested", "parse-0123456789abcdef.json");
    const cache = new DiskParseCache({ file, fingerprint: "f" });
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
    expect(fingerprintOf(copy, ".ts", ["yaml@2", "zod@4"])).not.toBe(base);
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
const { loadDesiredState } = await import(${JSON.stringify(pathToFileURL(join(manifestDir, "loadDirectory.ts")).href)});
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
