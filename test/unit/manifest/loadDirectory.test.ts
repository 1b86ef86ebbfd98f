import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { boundaryOf } from "../../../src/manifest/containment.js";
import { loadDesiredState, validatePaths } from "../../../src/manifest/loader/index.js";
import { MAX_DOCUMENTS } from "../../../src/manifest/limits.js";
import { readManifestFile } from "../../../src/manifest/readManifestFile.js";
import type * as ReaderModule from "../../../src/manifest/readManifestFile.js";
import { formatError } from "../../../src/manifest/types.js";
import { ManualClock } from "../../support/manualClock.js";

/** The files the loader read: the reader itself, counting. */
const reads = vi.hoisted(() => ({ files: [] as string[] }));
vi.mock("../../../src/manifest/readManifestFile.js", async (importOriginal) => {
  const real = await importOriginal<typeof ReaderModule>();
  return {
    ...real,
    readManifestFile: (...args: Parameters<typeof real.readManifestFile>) => {
      reads.files.push(args[0]);
      return real.readManifestFile(...args);
    },
  };
});

const manifest = (name: string, extra = "") =>
  `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n  image: busybox\n${extra}`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "alacrity-load-"));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

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

  it("names four definitions in full, and past that three of them and how many more", async () => {
    for (const name of ["a", "b", "c", "d"]) write(`${name}.yaml`, manifest("web"));
    const four = await loadDesiredState(root);
    expect(four.errors[0]?.message).toBe(
      `app "web" is also defined at ${root}/b.yaml:4:9, ${root}/c.yaml:4:9, ${root}/d.yaml:4:9; app names must be unique, rename or remove one`,
    );
    write("e.yaml", manifest("web"));
    const five = await loadDesiredState(root);
    expect(five.errors).toHaveLength(5);
    expect(five.errors[4]?.message).toBe(
      `app "web" is also defined at ${root}/a.yaml:4:9, ${root}/b.yaml:4:9, ${root}/c.yaml:4:9 and 1 more; app names must be unique, rename or remove one`,
    );
  });

  it("keeps the errors of 4,000 copies of one document small (8 files at the 500-document limit)", async () => {
    vi.stubEnv("ALACRITY_CACHE_DIR", "off");
    const doc = "apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: web}\nspec: {image: busybox}\n";
    const file = Array.from({ length: MAX_DOCUMENTS }, () => doc).join("---\n");
    for (let i = 0; i < 8; i++) write(`copy-${i}.yaml`, file);
    const state = await loadDesiredState(root);
    expect(state.apps.size).toBe(0);
    expect(state.errors).toHaveLength(4000);
    const total = state.errors.reduce((sum, e) => sum + formatError(e).length, 0);
    expect(total).toBeLessThan(2_000_000);
    for (const error of state.errors) {
      expect(error.message.match(/copy-\d\.yaml:\d+:\d+/g)).toHaveLength(3);
      expect(error.message).toContain(" and 3996 more;");
    }
  }, 60_000);

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

describe("loadDesiredState: nothing outside the apps directory is read", () => {
  const SECRET = "hunter2secret";
  const outsideMessage = (dir: string) =>
    `is a symbolic link to a place outside the apps directory (${realpathSync(dir)}); AlaCrity reads nothing outside it: replace the link by the file itself`;

  /** The apps directory, and beside it files of the controller's machine that links point to. */
  function plant(): { apps: string; secrets: string } {
    const apps = join(root, "apps");
    const secrets = join(root, "secrets");
    mkdirSync(apps);
    mkdirSync(join(secrets, "more"), { recursive: true });
    // What leaked before: the first value of a file that is not a manifest ("got ...").
    writeFileSync(join(secrets, "passwd"), `root:${SECRET}:0:0:root:/root:/bin/bash\n`);
    writeFileSync(join(secrets, "app.yaml"), `password: ${SECRET}\n`);
    writeFileSync(join(secrets, "more", "foreign.yaml"), manifest("foreign"));
    return { apps, secrets };
  }

  it("reports a link leading outside by its own path, never reads it, and keeps its apps", async () => {
    const { apps, secrets } = plant();
    writeFileSync(join(apps, "web.yaml"), manifest("web"));
    symlinkSync(join(secrets, "passwd"), join(apps, "leak.yaml"));
    symlinkSync("../secrets/app.yaml", join(apps, "relative.yaml"));
    symlinkSync(join(secrets, "more"), join(apps, "team"));
    // A link inside the directory works as before (positive control).
    mkdirSync(join(apps, "lib"));
    writeFileSync(join(apps, "lib", "shared.txt"), manifest("shared"));
    symlinkSync("lib/shared.txt", join(apps, "shared.yaml"));
    const state = await loadDesiredState(apps);
    expect([...state.apps.keys()].sort()).toEqual(["shared", "web"]);
    expect(state.errors.map(formatError)).toEqual([
      `${apps}/leak.yaml:1:1: ${outsideMessage(apps)}`,
      `${apps}/relative.yaml:1:1: ${outsideMessage(apps)}`,
      `${apps}/team:1:1: ${outsideMessage(apps)}`,
    ]);
    expect([...state.failedFiles].sort()).toEqual(["leak.yaml", "relative.yaml", "team"]);
    expect(state.fileCount).toBe(2);
    const everything = JSON.stringify({
      ...state,
      apps: [...state.apps.values()],
      failed: [...state.failedFiles],
    });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain("password");
    expect(everything).not.toContain("foreign");
  });

  it("does not walk a link to the root of the file system: one error, no foreign file", async () => {
    const { apps } = plant();
    writeFileSync(join(apps, "web.yaml"), manifest("web"));
    symlinkSync("/", join(apps, "rootfs"));
    const state = await loadDesiredState(apps);
    expect(state.errors.map(formatError)).toEqual([`${apps}/rootfs:1:1: ${outsideMessage(apps)}`]);
    expect(state.fileCount).toBe(1);
    expect([...state.apps.keys()]).toEqual(["web"]);
    expect([...state.failedFiles]).toEqual(["rootfs"]);
  });

  it("takes the real path of a directory given as a link as the boundary", async () => {
    const { apps, secrets } = plant();
    writeFileSync(join(apps, "web.yaml"), manifest("web"));
    symlinkSync(join(secrets, "app.yaml"), join(apps, "leak.yaml"));
    symlinkSync(apps, join(root, "current"));
    const state = await loadDesiredState(join(root, "current"));
    expect([...state.apps.keys()]).toEqual(["web"]);
    expect(state.errors.map(formatError)).toEqual([`${root}/current/leak.yaml:1:1: ${outsideMessage(apps)}`]);
  });

  it("lets links lead to the rest of a wider boundary (a Git checkout), and no further", async () => {
    const { secrets } = plant();
    const checkout = join(root, "checkout");
    mkdirSync(join(checkout, "apps"), { recursive: true });
    mkdirSync(join(checkout, "common"));
    writeFileSync(join(checkout, "common", "shared.yml.txt"), manifest("shared"));
    symlinkSync("../common/shared.yml.txt", join(checkout, "apps", "shared.yaml"));
    symlinkSync(join(secrets, "passwd"), join(checkout, "apps", "leak.yaml"));
    const state = await loadDesiredState(join(checkout, "apps"), {
      within: { dir: checkout, name: "the Git checkout" },
    });
    expect([...state.apps.keys()]).toEqual(["shared"]);
    expect(state.errors.map(formatError)).toEqual([
      `${checkout}/apps/leak.yaml:1:1: is a symbolic link to a place outside the Git checkout (${realpathSync(checkout)}); AlaCrity reads nothing outside it: replace the link by the file itself`,
    ]);
  });

  it("checks again what it opens: a link swapped to lead outside after the walk is not read", async () => {
    const { apps, secrets } = plant();
    symlinkSync(join(secrets, "passwd"), join(apps, "swapped.yaml"));
    const outside = await readManifestFile(join(apps, "swapped.yaml"), "swapped.yaml", boundaryOf(apps));
    expect(outside).toEqual({
      error: { file: "swapped.yaml", line: 1, col: 1, path: "", message: outsideMessage(apps) },
    });
    // The same file read without a boundary (a file named on the command line) is read.
    const chosen = await readManifestFile(join(apps, "swapped.yaml"), "swapped.yaml");
    expect(chosen).toEqual({ text: `root:${SECRET}:0:0:root:/root:/bin/bash\n` });
  });
});

describe("loadDesiredState, loading again", () => {
  it("reuses the parse of an unchanged file, and parses a changed, new or renamed file again", async () => {
    write("a.yaml", manifest("a"));
    write("b.yaml", manifest("b", "  replicas: 1\n"));
    // Parsed long after the files were written: the parses may be reused.
    const clock = new ManualClock(Date.now() + 60_000);
    const first = await loadDesiredState(root, { clock });
    write("b.yaml.tmp", manifest("b", "  replicas: 2\n"));
    renameSync(join(root, "b.yaml.tmp"), join(root, "b.yaml"));
    write("c.yaml", manifest("c"));
    reads.files = [];
    const second = await loadDesiredState(root, { clock });
    // a.yaml is taken from memory by its stat, unread; the changed and the new file are read.
    expect(reads.files.sort()).toEqual([join(root, "b.yaml"), join(root, "c.yaml")]);
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
    const clock = new ManualClock(Date.now() + 60_000);
    expect([...(await loadDesiredState(root, { clock })).apps.keys()]).toEqual(["web"]);
    write("b.yaml", manifest("web"));
    const state = await loadDesiredState(root, { clock });
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

  it("reads a file named on the command line where it is, but walks directories by the same rule", async () => {
    write("apps/web.yaml", manifest("web"));
    write("elsewhere/chosen.yaml", manifest("chosen"));
    write("elsewhere/foreign.yaml", manifest("foreign"));
    symlinkSync(join(root, "elsewhere/foreign.yaml"), join(root, "apps/leak.yaml"));
    symlinkSync(join(root, "elsewhere/chosen.yaml"), join(root, "chosen-link.yaml"));
    const state = await validatePaths([join(root, "apps"), join(root, "chosen-link.yaml")]);
    expect([...state.apps.keys()].sort()).toEqual(["chosen", "web"]);
    expect(state.errors.map(formatError)).toEqual([
      `${root}/apps/leak.yaml:1:1: is a symbolic link to a place outside the apps directory (${realpathSync(join(root, "apps"))}); AlaCrity reads nothing outside it: replace the link by the file itself`,
    ]);
    expect([...state.failedFiles]).toEqual([`${root}/apps/leak.yaml`]);
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
