import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDockerProxy, type DockerProxy, type ProxyRequest } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { sleep } from "../daemon/daemonProcess.js";
import { faultSuite, STACK_TRACE, SUITE_LABELS, envOf } from "./suite.js";

// Hand edits of managed services racing an apply (Swarm answers "update out of sequence").
//
// What "no lost update" means here: the manifest's change is never lost, and AlaCrity never
// writes a spec planned against a version someone else has since changed: every update carries
// the version it was planned from, a conflict makes it re-observe and re-plan that app, and the
// next attempt includes the hand edit in its plan. AlaCrity owns a managed service's fields,
// labels included, so a hand-added label is drift and is corrected (removed) by that re-plan;
// it is never overwritten blindly by a stale write.

const { INSTANCE, PREFIX, cli, managedServices } = faultSuite("cfl");
const P = PREFIX;
const APPS = 8;
/** Hand edits forced right before each service's first update attempts. */
const FORCED = 2;
const docker = newDocker();
let dir: AppsDir;
let proxy: DockerProxy;
const forced = new Map<string, number>();
let handEdits = 0;
let handConflicts = 0;

/** A person bumping a label by hand, as `docker service update --label-add` does. */
async function editByHand(id: string): Promise<void> {
  const svc = docker.getService(id);
  try {
    const info = (await svc.inspect()) as { Version: { Index: number }; Spec: Docker.ServiceSpec };
    const labels = { ...info.Spec.Labels, "hand-edit": String(++handEdits) };
    await svc.update({ ...info.Spec, Labels: labels, version: info.Version.Index });
  } catch {
    handConflicts++; // AlaCrity won that race: the person would retry, the test just goes on.
  }
}

const updateTarget = (r: ProxyRequest): string | undefined =>
  r.method === "POST" ? /^\/services\/([^/]+)\/update$/.exec(r.path)?.[1] : undefined;

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-flt-cfl");
  proxy = await startDockerProxy({
    socketPath: join(dir.path, "proxy.sock"),
    // Right before AlaCrity's update reaches Swarm, someone edits the same service by hand.
    beforeForward: async (req) => {
      const id = updateTarget(req);
      if (id === undefined) return;
      const n = forced.get(id) ?? 0;
      if (n >= FORCED) return;
      forced.set(id, n + 1);
      await editByHand(id);
    },
  });
});

afterAll(async () => {
  await proxy?.close();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

const write = (version: string): void => {
  for (let i = 0; i < APPS; i++) {
    dir.write(
      `apps/c${i}.yaml`,
      appYaml(`${P}c${i}`, { replicas: 0, env: { V: version }, args: [version] }, SUITE_LABELS),
    );
  }
};

describe("hand edits racing an apply", () => {
  it("Swarm rejects the stale updates; apply re-plans, exits 0, and the manifest's change is there", async () => {
    write("1");
    expect((await cli("apply", join(dir.path, "apps"))).code).toBe(0);
    write("2");

    // Besides the forced races, a person keeps editing services at random during the apply.
    let editing = true;
    const ids = [...(await managedServices(docker)).entries()]
      .filter(([name]) => name.startsWith(P))
      .map(([, s]) => s.ID);
    expect(ids).toHaveLength(APPS);
    const background = (async () => {
      for (let k = 0; editing && k < 200; k++) {
        await editByHand(ids[k % ids.length]!);
        await sleep(250);
      }
    })();
    proxy.reset();
    const started = Date.now();
    const result = await cli("apply", join(dir.path, "apps"), [], {
      DOCKER_HOST: proxy.dockerHost,
      ALACRITY_LOG_LEVEL: "info",
    });
    editing = false;
    await background;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);

    // Every service met FORCED conflicts, and each was retried to success: at least FORCED + 1
    // updates each, and within the retry bound (5 attempts).
    const updates = proxy.requests.map(updateTarget).filter((id) => id !== undefined);
    for (const id of ids) {
      const n = updates.filter((u) => u === id).length;
      expect(n).toBeGreaterThanOrEqual(FORCED + 1);
      expect(n).toBeLessThanOrEqual(5);
    }
    expect(result.stderr).toMatch(/update out of sequence/);
    console.log(
      `conflicts: ${updates.length} update requests for ${APPS} apps, ${handEdits} hand edits (${handConflicts} lost to AlaCrity), ${Date.now() - started} ms`,
    );

    // The manifest's change is there, whatever hand edits came before or after it.
    const after = await managedServices(docker);
    for (let i = 0; i < APPS; i++) expect(envOf(after.get(`${P}c${i}`))).toContain("V=2");
    // A background edit may have landed after AlaCrity's last write: that is new drift, which
    // the next pass corrects; then nothing is left to do.
    const again = await cli("apply", join(dir.path, "apps"));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const services = await managedServices(docker);
    for (let i = 0; i < APPS; i++) {
      const svc = services.get(`${P}c${i}`);
      expect(envOf(svc)).toContain("V=2");
      expect(svc?.Spec?.Labels?.["hand-edit"]).toBeUndefined();
    }
    const planned = await cli("plan", join(dir.path, "apps"));
    expect(planned.stdout).toContain("No changes");
    expect(planned.code).toBe(0);
  });
});
