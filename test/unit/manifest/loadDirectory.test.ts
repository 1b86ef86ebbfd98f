import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadDesiredState, validatePaths } from "../../../src/manifest/loadDirectory.js";
import { formatError } from "../../../src/manifest/types.js";

const manifest = (name: string, extra = "") =>
  `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n  image: busybox\n${extra}`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "alacrity-load-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, text: string): void {
  const path = join(root, relative);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

describe("loadDesiredState", () => {
  it("reads .yaml and .yml files in subdirectories and skips dot names and other extensions", async () => {
    write("web.yaml", manifest("web"));
    write("team/db.yml", manifest("db", "  persistent: true\n"));
    write("team/notes.txt", "not yaml");
    write(".hidden.yaml", manifest("hidden"));
    write(".git/config.yaml", manifest("in-git"));
    write("team/.swp/x.yaml", manifest("in-swp"));
    const state = await loadDesiredState(root);
    expect([...state.apps.keys()].sort()).toEqual(["db", "web"]);
    expect(state.fileCount).toBe(2);
    expect(state.errors).toEqual([]);
    expect(state.missing).toBe(false);
    expect(state.apps.get("db")?.source.file).toBe(`${root}/team/db.yml`);
    expect(state.apps.get("db")?.file).toBe("team/db.yml");
  });

  it("reports a missing directory as missing, not as an error", async () => {
    const state = await loadDesiredState(join(root, "nope"));
    expect(state).toMatchObject({ missing: true, fileCount: 0, errors: [] });
    expect(state.apps.size).toBe(0);
  });

  it("an empty directory has no files and is not missing", async () => {
    const state = await loadDesiredState(root);
    expect(state).toMatchObject({ missing: false, fileCount: 0, errors: [] });
  });

  it("records files with errors relative to the directory, with forward slashes", async () => {
    write("ok.yaml", manifest("ok"));
    write("a/b/bad.yaml", manifest("bad", "  replicas: -1\n"));
    write("a/broken.yaml", "key: [unclosed\n");
    const state = await loadDesiredState(root);
    expect([...state.failedFiles].sort()).toEqual(["a/b/bad.yaml", "a/broken.yaml"]);
    expect(state.invalid.map((i) => i.name)).toContain("bad");
    expect([...state.apps.keys()]).toEqual(["ok"]);
    // Sorted by file, then position.
    expect(state.errors.map((e) => e.file)).toEqual([`${root}/a/b/bad.yaml`, `${root}/a/broken.yaml`]);
  });

  it("makes both definitions of a duplicated name invalid, each naming the other", async () => {
    write("one.yaml", manifest("web"));
    write("sub/two.yaml", `# a comment\n${manifest("web")}`);
    write("other.yaml", manifest("other"));
    const state = await loadDesiredState(root);
    expect([...state.apps.keys()]).toEqual(["other"]);
    expect(state.errors.map(formatError)).toEqual([
      `${root}/one.yaml:4:9: metadata.name: app "web" is also defined at ${root}/sub/two.yaml:5:9; app names must be unique, rename or remove one`,
      `${root}/sub/two.yaml:5:9: metadata.name: app "web" is also defined at ${root}/one.yaml:4:9; app names must be unique, rename or remove one`,
    ]);
    expect([...state.failedFiles].sort()).toEqual(["one.yaml", "sub/two.yaml"]);
    expect(state.invalid.map((i) => i.name)).toEqual(["web", "web"]);
  });

  it("detects duplicates between documents of one file", async () => {
    write("both.yaml", `${manifest("web")}---\n${manifest("web")}`);
    const state = await loadDesiredState(root);
    expect(state.apps.size).toBe(0);
    expect(state.errors).toHaveLength(2);
    expect(state.errors[1]?.message).toContain(`also defined at ${root}/both.yaml:4:9`);
  });

  it("follows a symlinked root and symlinked subdirectories, and survives a symlink loop", async () => {
    const real = join(root, "checkout-1");
    mkdirSync(join(real, "nested"), { recursive: true });
    writeFileSync(join(real, "web.yaml"), manifest("web"));
    writeFileSync(join(real, "nested", "db.yaml"), manifest("db"));
    symlinkSync(real, join(root, "current"));
    symlinkSync(join(real, "nested"), join(real, "linked"));
    symlinkSync(real, join(real, "nested", "loop"));
    const state = await loadDesiredState(join(root, "current"));
    expect([...state.apps.keys()].sort()).toEqual(["db", "web"]);
    expect(state.errors).toEqual([]);
  });

  it("reports a broken symlink to a manifest and a file where a directory was expected", async () => {
    symlinkSync(join(root, "gone.yaml"), join(root, "dangling.yaml"));
    write("ok.yaml", manifest("ok"));
    const state = await loadDesiredState(root);
    expect(state.errors.map(formatError)).toEqual([
      `${root}/dangling.yaml:1:1: file or directory does not exist`,
    ]);
    expect([...state.failedFiles]).toEqual(["dangling.yaml"]);
    const notDir = await loadDesiredState(join(root, "ok.yaml"));
    expect(notDir.errors.map(formatError)).toEqual([`${root}/ok.yaml:1:1: is not a directory`]);
  });

  it("refuses a file over the size limit without reading it", async () => {
    write("big.yaml", "#".repeat(2 * 1024 * 1024));
    const state = await loadDesiredState(root);
    expect(state.errors[0]?.message).toBe(
      "the file is too large (2097152 bytes; the limit is 1048576); split it into several files",
    );
    expect([...state.failedFiles]).toEqual(["big.yaml"]);
  });
});

describe("loadDesiredState, loading again", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reuses the parse of an unchanged file, and parses a changed, new or renamed file again", async () => {
    write("a.yaml", manifest("a"));
    write("b.yaml", manifest("b", "  replicas: 1\n"));
    // Parsed long after the files were written: the parses may be reused.
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 60_000);
    const first = await loadDesiredState(root);
    write("b.yaml.tmp", manifest("b", "  replicas: 2\n"));
    renameSync(join(root, "b.yaml.tmp"), join(root, "b.yaml"));
    write("c.yaml", manifest("c"));
    const second = await loadDesiredState(root);
    expect(second.apps.get("a")?.positions).toBe(first.apps.get("a")?.positions);
    expect(second.apps.get("b")?.replicas).toBe(2);
    expect([...second.apps.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  it("sees a same-size rewrite made right after a parse (the timestamps may not have moved)", async () => {
    write("a.yaml", manifest("a", "  replicas: 1\n"));
    expect((await loadDesiredState(root)).apps.get("a")?.replicas).toBe(1);
    write("a.yaml", manifest("a", "  replicas: 2\n"));
    expect((await loadDesiredState(root)).apps.get("a")?.replicas).toBe(2);
  });

  it("still finds a duplicate between a cached file and a new one", async () => {
    write("a.yaml", manifest("web"));
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 60_000);
    expect([...(await loadDesiredState(root)).apps.keys()]).toEqual(["web"]);
    write("b.yaml", manifest("web"));
    const state = await loadDesiredState(root);
    expect(state.apps.size).toBe(0);
    expect(state.invalid.map((i) => i.name)).toEqual(["web", "web"]);
    expect([...state.failedFiles].sort()).toEqual(["a.yaml", "b.yaml"]);
  });
});

describe("validatePaths", () => {
  it("mixes files (any extension) and directories, counting a file named twice once", async () => {
    write("apps/web.yaml", manifest("web"));
    write("single.manifest", manifest("single"));
    const state = await validatePaths([
      join(root, "apps"),
      join(root, "apps/web.yaml"),
      join(root, "single.manifest"),
    ]);
    expect(state.errors).toEqual([]);
    expect(state.fileCount).toBe(2);
    expect([...state.apps.keys()].sort()).toEqual(["single", "web"]);
  });

  it("names files as the user gave them and reports paths that do not exist", async () => {
    write("apps/bad.yaml", manifest("bad", "  replicas: x\n"));
    const dir = `${root}/apps/`;
    const state = await validatePaths([dir, join(root, "missing")]);
    expect(state.errors.map(formatError)).toEqual([
      `${root}/apps/bad.yaml:7:13: spec.replicas: must be a whole number from 0 up (got "x")`,
      `${root}/missing:1:1: file or directory does not exist`,
    ]);
  });
});
