import { mkdir, mkdtemp, realpath, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchManifests, type ManifestWatcher } from "../../../src/controller/manifestWatcher.js";
import { loadDesiredState } from "../../../src/manifest/loader/index.js";
import { ManualClock } from "../../support/manualClock.js";
import { eventually } from "../../support/poll.js";

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

/** Waits past the debounce window so late calls would have been counted. */
const settle = () => sleep(1200);

/**
 * Does `operation` and returns how many signals it caused, counted from the calls before it, once
 * the watcher has settled. `signals: true` waits (bounded) for at least one first.
 */
async function signalsOf(operation: () => Promise<unknown>, { signals = true } = {}): Promise<number> {
  const before = calls;
  await operation();
  if (signals)
    await eventually(() => calls > before, { timeoutMs: 5000, intervalMs: 25, what: "an onChange call" });
  await settle();
  return calls - before;
}

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
    const seen = [
      await signalsOf(() => writeFile(join(apps, "a.yaml"), manifest("a"))),
      await signalsOf(() => writeFile(join(apps, "a.yaml"), manifest("a", "other:2"))),
      await signalsOf(() => rename(join(apps, "a.yaml"), join(apps, "b.yml"))),
      await signalsOf(() => unlink(join(apps, "b.yml"))),
    ];
    for (const count of seen) expect(count).toBeGreaterThanOrEqual(1);
    for (const count of seen) expect(count).toBeLessThanOrEqual(2);
  });

  it("signals changes in subdirectories and the removal of a subdirectory", async () => {
    const apps = join(base, "apps");
    await mkdir(join(apps, "team", "blog"), { recursive: true });
    await start(apps);

    expect(
      await signalsOf(() => writeFile(join(apps, "team", "blog", "db.yaml"), manifest("db"))),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await signalsOf(async () => {
        await mkdir(join(apps, "new"));
        await writeFile(join(apps, "new", "web.yml"), manifest("web"));
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(await signalsOf(() => rm(join(apps, "team"), { recursive: true }))).toBeGreaterThanOrEqual(1);
  });

  it("signals a temp-file-and-rename save once", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await writeFile(join(apps, "a.yaml"), manifest("a"));
    await start(apps);

    // The way editors save: write a hidden temporary file, then rename it over the original.
    const save = signalsOf(async () => {
      await writeFile(join(apps, ".a.yaml.swp"), manifest("a", "new:1"));
      await rename(join(apps, ".a.yaml.swp"), join(apps, "a.yaml"));
    });
    expect(await save).toBe(1);
  });

  it("ignores dotfiles, hidden directories and files that are not .yaml/.yml", async () => {
    const apps = join(base, "apps");
    await mkdir(join(apps, ".git"), { recursive: true });
    await start(apps);

    const ignored = await signalsOf(
      async () => {
        await writeFile(join(apps, ".hidden.yaml"), manifest("h"));
        await writeFile(join(apps, ".git", "config.yaml"), manifest("g"));
        await writeFile(join(apps, "README.md"), "# apps\n");
        await writeFile(join(apps, "notes.txt"), "x");
      },
      { signals: false },
    );
    expect(ignored).toBe(0);

    // The positive control: the watcher is alive, a real manifest still counts.
    expect(await signalsOf(() => writeFile(join(apps, "a.yaml"), manifest("a")))).toBeGreaterThanOrEqual(1);
  });

  it("signals exactly the files the loader loads: `a.YAML` and `a.Yml` are not manifests, `a.yaml` is", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await writeFile(join(apps, "upper.YAML"), manifest("upper"));
    await writeFile(join(apps, "mixed.Yml"), manifest("mixed"));
    await start(apps);

    const ignored = await signalsOf(
      async () => {
        await writeFile(join(apps, "upper.YAML"), manifest("upper", "other:2"));
        await writeFile(join(apps, "mixed.Yml"), manifest("mixed", "other:2"));
        await writeFile(join(apps, "new.YML"), manifest("new"));
      },
      { signals: false },
    );
    expect(ignored).toBe(0);
    const loaded = await loadDesiredState(apps);
    expect([...loaded.apps.keys()]).toEqual([]);

    // The positive control, for the watcher and the loader alike.
    expect(
      await signalsOf(() => writeFile(join(apps, "lower.yaml"), manifest("lower"))),
    ).toBeGreaterThanOrEqual(1);
    expect([...(await loadDesiredState(apps)).apps.keys()]).toEqual(["lower"]);
  });

  it("does not watch through a link leading outside the directory, and does through one inside", async () => {
    const apps = join(base, "apps");
    const elsewhere = join(base, "elsewhere");
    await mkdir(join(apps, "team"), { recursive: true });
    await mkdir(elsewhere);
    await symlink(elsewhere, join(apps, "outside"));
    await symlink(join(apps, "team"), join(apps, "inside"));
    await start(apps);

    const outside = await signalsOf(() => writeFile(join(elsewhere, "foreign.yaml"), manifest("foreign")), {
      signals: false,
    });
    expect(outside).toBe(0);

    // The watcher is alive and follows the link that stays inside.
    expect(
      await signalsOf(() => writeFile(join(apps, "team", "a.yaml"), manifest("a"))),
    ).toBeGreaterThanOrEqual(1);
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
    const swap = await signalsOf(async () => {
      await symlink(rev2, join(base, "apps.tmp"));
      await rename(join(base, "apps.tmp"), apps);
    });
    expect(swap).toBe(1);
    expect(watcher!.root).toBe(rev2);

    // The new checkout is watched, the old one no longer.
    expect(
      await signalsOf(() => writeFile(join(rev1, "a.yaml"), manifest("a", "old:9")), { signals: false }),
    ).toBe(0);
    expect(
      await signalsOf(() => writeFile(join(rev2, "b.yaml"), manifest("b", "new:2"))),
    ).toBeGreaterThanOrEqual(1);
  });

  it("signals when the directory is removed and when it comes back", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await writeFile(join(apps, "a.yaml"), manifest("a"));
    await start(apps);

    expect(await signalsOf(() => rm(apps, { recursive: true }))).toBeGreaterThanOrEqual(1);
    expect(watcher!.root).toBeNull();

    expect(await signalsOf(() => mkdir(apps))).toBeGreaterThanOrEqual(1);
    expect(await signalsOf(() => writeFile(join(apps, "b.yaml"), manifest("b")))).toBeGreaterThanOrEqual(1);
  });

  it("polls the root on its clock, which finds a directory whose parent did not exist (nothing to watch)", async () => {
    const clock = new ManualClock();
    const apps = join(base, "later", "apps");
    watcher = await watchManifests({
      dir: apps,
      onChange: () => calls++,
      onError: (e) => {
        throw e;
      },
      rootPollMs: 200,
      clock,
    });
    expect(watcher.root).toBeNull();
    expect(clock.pendingDelays()).toEqual([200]);
    await mkdir(apps, { recursive: true });
    // Real time passing does not poll: only the clock does.
    await sleep(400);
    expect(watcher.root).toBeNull();
    clock.advance(200);
    const real = await realpath(apps);
    await eventually(() => watcher!.root === real, { timeoutMs: 5000, intervalMs: 10, what: "the new root" });
    // The next poll, and the debounce of the reload signal, on the same clock.
    await eventually(() => clock.pending === 2, { timeoutMs: 5000, intervalMs: 10, what: "the debounce" });
    expect(calls).toBe(0);
    clock.advance(50);
    expect(calls).toBe(1);
    expect(clock.pendingDelays()).toEqual([200]);
  });

  it("turns a burst of 200 files into at most 3 signals", async () => {
    const apps = join(base, "apps");
    await mkdir(apps);
    await start(apps);

    const burst = await signalsOf(async () => {
      for (let i = 0; i < 200; i++) {
        await mkdir(join(apps, `d${i % 10}`), { recursive: true });
        await writeFile(join(apps, `d${i % 10}`, `app-${i}.yaml`), manifest(`app-${i}`));
      }
    });
    expect(burst).toBeGreaterThanOrEqual(1);
    expect(burst).toBeLessThanOrEqual(3);
  });
});
