import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { startMultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { runCli, type CliResult } from "../../support/cli.js";
import { AppsDir, IMAGE, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";

/**
 * The Docker engine restarts in the middle of an apply of 100 apps. The machine's own engine is
 * shared with other suites, so this uses a private one-node Swarm in Docker-in-Docker and
 * restarts its node (dockerd and the Swarm manager with it).
 */
const PREFIX = "t-lease-rs-";
const COUNT = 100;
const log = (message: string): void => console.log(`[engine restart] ${message}`);
/** A stack trace line, as Node prints them: "    at fn (file:line:col)". */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

let swarm: MultiNodeSwarm;
let dir: AppsDir;

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 1, workloadImages: [IMAGE], log });
  dir = new AppsDir(PREFIX);
  // 0 replicas: the test is about the API calls of apply, not about running 100 containers.
  for (let i = 0; i < COUNT; i++) {
    const name = `${PREFIX}${String(i).padStart(3, "0")}`;
    dir.write(`${name}.yaml`, appYaml(name, { replicas: 0 }, { labels: { "test-suite": "t-lease" } }));
  }
}, 300_000);

afterAll(async () => {
  await swarm?.cleanup();
  dir?.dispose();
}, 120_000);

async function suiteServiceNames(): Promise<string[]> {
  const list = await swarm.docker.listServices();
  return list.map((s) => s.Spec?.Name ?? "").filter((n) => n.startsWith(PREFIX));
}

describe("apply while the Docker engine restarts", () => {
  it("stops with a clear error and no stack trace, and a second apply converges to exactly 100 services", async () => {
    const env = { DOCKER_HOST: swarm.dockerHost };
    const started = Date.now();
    const first = runCli(["apply", "--dir", dir.path, "--concurrency", "2"], { env, timeoutMs: 180_000 });
    let firstDone: CliResult | undefined;
    void first.then((r) => (firstDone = r));

    // Restart the engine once the apply is well under way.
    const createdBefore = await eventually(
      async () => {
        if (firstDone) return -1;
        const n = (await suiteServiceNames()).length;
        return n >= 10 ? n : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    expect(createdBefore, "apply finished before the engine could be restarted").toBeGreaterThan(0);
    const restartAt = Date.now();
    await swarm.node("node-1").restart();
    log(
      `restarted after ${createdBefore} creates (${restartAt - started} ms in); engine back in ${Date.now() - restartAt} ms`,
    );

    const result = await first;
    log(`first apply: exit ${result.code} after ${Date.now() - started} ms`);
    const errors = result.stderr.split("\n").filter((l) => l.trim() !== "");
    log(`first apply stdout, last lines: ${result.stdout.trim().split("\n").slice(-4).join(" | ")}`);
    log(`first apply stderr (${errors.length} lines), e.g.: ${errors.slice(0, 3).join(" | ")}`);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stdout).not.toMatch(STACK_LINE);
    if (result.code !== 0) {
      expect(result.code).toBe(1);
      expect(`${result.stdout}\n${result.stderr}`).toMatch(/cannot reach Docker/);
    }

    // Swarm's manager needs a moment after its engine answers; the second apply is what a user
    // (or the daemon's next pass) does, and it must converge without duplicates.
    await swarm.waitForNodeState("node-1", "ready");
    const second = await eventually(
      async () => {
        const r = await runCli(["apply", "--dir", dir.path], { env, timeoutMs: 180_000 });
        if (r.code !== 0) log(`second apply exit ${r.code}: ${r.stderr.slice(0, 300)}`);
        return r.code === 0 ? r : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    expect(second.stderr).not.toMatch(STACK_LINE);
    const names = await suiteServiceNames();
    expect(names).toHaveLength(COUNT);
    expect(new Set(names).size).toBe(COUNT);

    const plan = await runCli(["plan", "--dir", dir.path, "--output", "json"], { env });
    expect(plan.code, plan.stderr).toBe(0);
    log(`total ${Date.now() - started} ms`);
  });
});
