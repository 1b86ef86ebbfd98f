import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { killDaemons, sleep, waitForStatus } from "../daemon/daemonProcess.js";
import { faultSuite, STACK_TRACE, SUITE_LABELS, envOf } from "./suite.js";
import { eventually } from "../../support/poll.js";

// 1000 random creates, edits, deletes and renames (into and out of a subdirectory) within about
// 10 s in the directory `alacrity run` watches; afterwards the Swarm matches the directory exactly.
// The daemon runs with --allow-mass-prune and --allow-empty: a storm can delete most apps at once,
// and the guards would (rightly) hold those removals back.

const { INSTANCE, PREFIX, cli, managedServices, spawnFaultDaemon } = faultSuite("storm");
const P = PREFIX;
const SLOTS = 30;
const OPS = 1000;
const docker = newDocker();
let dir: AppsDir;

/** What the directory holds, kept by the storm: app name -> its file and env value. */
const model = new Map<string, { file: string; value: string; replicas: number }>();

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-flt-storm");
  mkdirSync(join(dir.path, "sub"), { recursive: true });
});

afterAll(async () => {
  await killDaemons();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

/** A small deterministic PRNG, so a failing storm can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeApp(app: string, file: string, value: string, replicas: number): void {
  writeFileSync(join(dir.path, file), appYaml(app, { replicas, env: { STORM: value } }, SUITE_LABELS));
}

describe("a storm of file operations in the watched directory", () => {
  it("ends with the Swarm matching the directory: the set of apps, their replicas, env and file", async () => {
    const seed = Number(process.env.STORM_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const daemon = await spawnFaultDaemon({
      dir: dir.path,
      args: ["--allow-mass-prune", "--allow-empty", "--resync", "30"],
    });
    await waitForStatus(daemon, "/readyz", 200, 30_000);

    const started = Date.now();
    const counts = { create: 0, edit: 0, delete: 0, rename: 0 };
    for (let op = 0; op < OPS; op++) {
      const app = `${P}${Math.floor(random() * SLOTS)}`;
      const current = model.get(app);
      const value = `v${op}`;
      if (!current) {
        const file = random() < 0.5 ? `${app}.yaml` : `sub/${app}.yml`;
        writeApp(app, file, value, 0);
        model.set(app, { file, value, replicas: 0 });
        counts.create++;
      } else {
        const r = random();
        if (r < 0.4) {
          writeApp(app, current.file, value, 0);
          model.set(app, { ...current, value });
          counts.edit++;
        } else if (r < 0.7) {
          rmSync(join(dir.path, current.file));
          model.delete(app);
          counts.delete++;
        } else {
          const file = current.file.startsWith("sub/") ? `${app}.yaml` : `sub/${app}.yml`;
          renameSync(join(dir.path, current.file), join(dir.path, file));
          model.set(app, { ...current, file });
          counts.rename++;
        }
      }
      // Paced to 1000 operations in about 10 s.
      const due = started + (op + 1) * 10;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    const stormMs = Date.now() - started;

    // Converged when plan has nothing to do (bounded), then checked against a direct listing.
    await eventually(async () => (await cli("plan", dir.path, [], {}, 30_000)).code === 0, {
      timeoutMs: 90_000,
      intervalMs: 1000,
    });
    const convergedMs = Date.now() - started - stormMs;
    const services = await managedServices(docker);
    const ours = [...services.keys()].filter((n) => n.startsWith(P)).sort();
    expect(ours).toEqual([...model.keys()].sort());
    for (const [app, want] of model) {
      const svc = services.get(app);
      expect(svc?.Spec?.Mode?.Replicated?.Replicas, app).toBe(want.replicas);
      expect(envOf(svc), app).toContain(`STORM=${want.value}`);
      expect(svc?.Spec?.Labels?.["alacrity.file"], app).toBe(want.file);
    }
    expect(daemon.running).toBe(true);
    expect(daemon.stderr()).not.toMatch(STACK_TRACE);
    console.log(
      `storm (seed ${seed}): ${JSON.stringify(counts)} in ${stormMs} ms; ${model.size} apps left; converged ${convergedMs} ms after`,
    );
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited()).code).toBe(0);
  });
});
