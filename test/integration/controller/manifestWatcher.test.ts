import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchManifests, type ManifestWatcher } from "../../../src/controller/manifestWatcher.js";

// Real file system, no Docker: these tests prove the watcher turns what editors, git and git-sync
// do to a directory into reload signals.

const manifest = (name: string, image = "alacrity-test/busybox:1") =>
  `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n  image: ${image}\n`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let base: string;
let watcher: ManifestWatcher | undefined;
let calls = 0;

async function start(dir: string): Promise<void> {
  watcher = await watchManifests({
    dir,
    onChange: () => calls++,
    onError: (e) => {
      throw e;
    },
    rootPollMs: 200,
  });
}

/** Waits (bounded) until at least `n` calls have been counted. */
async function waitForCalls(n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (calls < n) {
    if (Date.now() > deadline)
      throw new Error(`expected ${n} onChange calls within ${timeoutMs} ms, got ${calls}`);
    await sleep(25);
  }
}

/** Waits past the debounce window so late calls would have been counted. */
const settle = () => sleep(1200);

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "alacrity-watch-"));
  calls = 0;
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(base, { recursive: true, force: true });
});

describe("watchManifests", () => {
  it("signals a created, edited, renamed and deleted manifest", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await start(apps);

    // Each operation must be signalled. The 50 ms quiet window can split one operation in two on
    // a loaded machine (writeFile truncates, then writes): a second reload is harmless, a missed
    // one is not. That bursts are merged is the 200-file test's job.
    const seen: number[] = [];
    const step = async (operation: () => Promise<void>): Promise<void> => {
      const before = calls;
      await operation();
      await waitForCalls(before + 1);
      await settle();
      seen.push(calls - before);
    };
    await step(() => writeFile(join(apps, "a.yaml"), manifest("a")));
    await step(() => writeFile(join(apps, "a.yaml"), manifest("a", "other:2")));
    await step(() => rename(join(apps, "a.yaml"), join(apps, "b.yml")));
    await step(() => unlink(join(apps, "b.yml")));
    // waitForCalls proved each step signalled at least once.
    expect(seen).toHaveLength(4);
    for (const count of seen) expect(count).toBeLessThanOrEqual(2);
  });

  it("signals changes in subdirectories and the removal of a subdirectory", async () => {
    const apps = join(base, "apps");
    await mkdir(join(apps, "team", "blog"), { recursive: true });
    await start(apps);

    await writeFile(join(apps, "team", "blog", "db.yaml"), manifest("db"));
    await waitForCalls(1);
    await settle();

    await mkdir(join(apps, "new"));
    await writeFile(join(apps, "new", "web.yml"), manifest("web"));
    await waitForCalls(2);
    await settle();

    await rm(join(apps, "team"), { recursive: true });
    await waitForCalls(3);
  });

  it("signals a temp-file-and-rename save once", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await writeFile(join(apps, "a.yaml"), manifest("a"));
    await start(apps);

    // The way editors save: write a hidden temporary file, then rename it over the original.
    await writeFile(join(apps, ".a.yaml.swp"), manifest("a", "new:1"));
    await rename(join(apps, ".a.yaml.swp"), join(apps, "a.yaml"));
    await waitForCalls(1);
    await settle();
    expect(calls).toBe(1);
  });

  it("ignores dotfiles, hidden directories and files that are not .yaml/.yml", async () => {
    const apps = join(base, "apps");
    await mkdir(join(apps, ".git"), { recursive: true });
    await start(apps);

    await writeFile(join(apps, ".hidden.yaml"), manifest("h"));
    await writeFile(join(apps, ".git", "config.yaml"), manifest("g"));
    await writeFile(join(apps, "README.md"), "# apps\n");
    await writeFile(join(apps, "notes.txt"), "x");
    await settle();
    expect(calls).toBe(0);

    // The watcher is alive: a real manifest still counts.
    await writeFile(join(apps, "a.yaml"), manifest("a"));
    await waitForCalls(1);
  });

  it("does not watch through a link leading outside the directory, and does through one inside", async () => {
    const apps = join(base, "apps");
    const elsewhere = join(base, "elsewhere");
    await mkdir(join(apps, "team"), { recursive: true });
    await mkdir(elsewhere);
    await symlink(elsewhere, join(apps, "outside"));
    await symlink(join(apps, "team"), join(apps, "inside"));
    await start(apps);

    await writeFile(join(elsewhere, "foreign.yaml"), manifest("foreign"));
    await settle();
    expect(calls).toBe(0);

    // The watcher is alive and follows the link that stays inside.
    await writeFile(join(apps, "team", "a.yaml"), manifest("a"));
    await waitForCalls(1);
  });

  it("follows an atomic symlink swap to a new checkout (git-sync)", async () => {
    const rev1 = join(base, "rev1");
    const rev2 = join(base, "rev2");
    await mkdir(rev1);
    await mkdir(rev2);
    await writeFile(join(rev1, "a.yaml"), manifest("a"));
    await writeFile(join(rev2, "b.yaml"), manifest("b"));
    const apps = join(base, "apps");
    await symlink(rev1, apps);
    await start(apps);
    expect(watcher!.root).toBe(rev1);

    // `ln -s rev2 tmp && mv -T tmp apps`: rename(2) replaces the link atomically.
    await symlink(rev2, join(base, "apps.tmp"));
    await rename(join(base, "apps.tmp"), apps);
    await waitForCalls(1);
    await settle();
    expect(calls).toBe(1);
    expect(watcher!.root).toBe(rev2);

    // The new checkout is watched, the old one no longer.
    await writeFile(join(rev1, "a.yaml"), manifest("a", "old:9"));
    await settle();
    expect(calls).toBe(1);
    await writeFile(join(rev2, "b.yaml"), manifest("b", "new:2"));
    await waitForCalls(2);
  });

  it("signals when the directory is removed and when it comes back", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await writeFile(join(apps, "a.yaml"), manifest("a"));
    await start(apps);

    await rm(apps, { recursive: true });
    await waitForCalls(1);
    await settle();
    expect(watcher!.root).toBeNull();

    await mkdir(apps);
    await waitForCalls(2);
    await settle();
    await writeFile(join(apps, "b.yaml"), manifest("b"));
    await waitForCalls(3);
  });

  it("turns a burst of 200 files into at most 3 signals", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await start(apps);

    for (let i = 0; i < 200; i++) {
      await mkdir(join(apps, `d${i % 10}`), { recursive: true });
      await writeFile(join(apps, `d${i % 10}`, `app-${i}.yaml`), manifest(`app-${i}`));
    }
    await waitForCalls(1);
    await settle();
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(3);
  });
});
