import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../../../src/domain/names.js";
import { observe } from "../../../src/swarm/observe.js";
import { lastProbeOutputs } from "../../../src/swarm/probeOutput.js";
import { withEndedHealth } from "../../../src/swarm/endedHealth.js";
import { countRequests } from "../../../src/swarm/requestCounter.js";
import { waitForTasks } from "../../../src/swarm/waitForTasks.js";
import type { WaitResult } from "../../../src/swarm/waitForTasks.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import { docker, engine, IMAGE, sweep, TEST_LABEL, TEST_LABEL_VALUE } from "./helpers.js";

/*
 * Health checks on the real Swarm, with services made directly through the Engine API (the
 * manifest's `spec.healthcheck` is written by another layer). The probe is an HTTP GET of a
 * busybox httpd on 127.0.0.1 (busybox wget works only to the loopback here).
 */

const PREFIX = "t-swarm-health-";
const S = 1_000_000_000;
/** Its own instance, so that no other suite's status lists these services. */
const INSTANCE = "t-swarm-health";

beforeAll(async () => {
  await sweep(PREFIX);
});

afterAll(async () => {
  await sweep(PREFIX);
});

/** httpd answers after `delay` s; the probe passes only once it does. */
const HTTPD = (delay: number): string[] => [
  "sh",
  "-c",
  `sleep ${delay}; mkdir -p /www; echo ok > /www/index.html; exec busybox httpd -f -p 8080 -h /www`,
];
const HTTP_PROBE = ["CMD-SHELL", "busybox wget -q -O- http://127.0.0.1:8080/ || exit 1"];
const FAILING_PROBE = ["CMD-SHELL", "echo probe says no; exit 1"];

interface ServiceOptions {
  hash: string;
  test: string[];
  startPeriod?: number;
  update?: Docker.UpdateConfig;
  command?: string[];
}

/** A managed-looking service (instance and app labels), so `status` lists it. */
function serviceSpec(name: string, options: ServiceOptions): Docker.CreateServiceOptions {
  return {
    Name: name,
    Labels: {
      [TEST_LABEL]: TEST_LABEL_VALUE,
      [LABEL.managed]: "true",
      [LABEL.instance]: INSTANCE,
      [LABEL.app]: name,
      [LABEL.hash]: options.hash,
    },
    TaskTemplate: {
      // The Engine API's field is `Healthcheck`; dockerode's types spell it `HealthCheck`.
      ContainerSpec: {
        Image: IMAGE,
        Command: options.command ?? HTTPD(2),
        Healthcheck: {
          Test: options.test,
          Interval: 1 * S,
          // Generous: probes are slow on this shared 2-CPU machine, and a timeout is a failure.
          Timeout: 5 * S,
          Retries: 1,
          StartPeriod: options.startPeriod ?? 0,
        },
      } as Docker.ContainerSpec,
      // Swarm's 5 s restart delay would make the unhealthy case slow.
      RestartPolicy: { Condition: "any", Delay: 1 * S },
    },
    Mode: { Replicated: { Replicas: 1 } },
    ...(options.update ? { UpdateConfig: options.update } : {}),
  };
}

describe("health checks in waitForTasks and status", () => {
  it("waits while the task is starting and returns ok only once it is healthy", async () => {
    const app = `${PREFIX}healthy`;
    await docker.createService(serviceSpec(app, { hash: "h1", test: HTTP_PROBE, startPeriod: 60 * S }));
    const seen: WaitResult[] = [];
    const results = await waitForTasks(engine, [app], 90_000, 200, {
      onPoll: (polled) => polled[app] && seen.push(polled[app]),
    });
    expect(results[app]).toEqual({ ok: true, failed: false, running: 1, desired: 1, errors: [] });
    // Swarm held the task in `starting` until the probe passed (httpd waits 2 s to start).
    expect(seen.some((r) => r.starting === 1 && !r.ok)).toBe(true);
    const [container] = await docker.listContainers({
      filters: { label: [`com.docker.swarm.service.name=${app}`] },
    });
    expect(container?.Status).toContain("(healthy)");
  });

  it("reports an app whose check never passes as unhealthy, with the probe's output", async () => {
    const app = `${PREFIX}unhealthy`;
    await docker.createService(serviceSpec(app, { hash: "h1", test: FAILING_PROBE }));
    const hostname = ((await docker.info()) as { Name: string }).Name;
    const results = await waitForTasks(engine, [app], 120_000, 250);
    expect(results[app]).toMatchObject({ ok: false, failed: true, problem: "unhealthy", running: 0 });
    expect(results[app]?.errors).toContainEqual({ node: hostname, text: "unhealthy: probe says no" });

    // status says the same, from the same probe output.
    const observed = await observe(engine);
    const probes = await lastProbeOutputs(engine, observed.tasks);
    const row = summarizeStatus(observed, undefined, undefined, { instance: INSTANCE, probes }).find(
      (r) => r.name === app,
    );
    expect(row).toMatchObject({ state: "unhealthy", health: "unhealthy" });
    expect(row?.reason).toContain("unhealthy: probe says no");
  });

  it("reports as unhealthy an app that exits 0 when its failing check stops it (Swarm says complete)", async () => {
    const app = `${PREFIX}clean-exit`;
    // A server that ends cleanly on SIGTERM, as most do: Swarm records its task `complete`.
    const command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"];
    await docker.createService(serviceSpec(app, { hash: "h1", test: FAILING_PROBE, command }));
    const hostname = ((await docker.info()) as { Name: string }).Name;
    const results = await waitForTasks(engine, [app], 120_000, 250);
    expect(results[app]).toMatchObject({ ok: false, failed: true, problem: "unhealthy", running: 0 });
    expect(results[app]?.errors).toContainEqual({ node: hostname, text: "unhealthy: probe says no" });

    // Swarm itself calls those tasks complete, with no error: only their containers tell.
    const observed = await observe(engine);
    const own = observed.tasks.filter(
      (t) => t.serviceId === observed.services.find((s) => s.name === app)?.id,
    );
    expect(own.some((t) => t.state === "complete" && !t.error)).toBe(true);
    expect(own.some((t) => t.state === "failed")).toBe(false);
    const checked = new Set(own.map((t) => t.serviceId));
    const tasks = await withEndedHealth(engine, observed.tasks, checked);
    const probes = await lastProbeOutputs(engine, tasks);
    const row = summarizeStatus({ ...observed, tasks }, undefined, undefined, {
      instance: INSTANCE,
      probes,
    }).find((r) => r.name === app);
    expect(row).toMatchObject({ state: "unhealthy", health: "unhealthy" });
    expect(row?.reason).toContain("unhealthy: probe says no");
  });

  it("reports an update Swarm rolled back after its check failed; a manifest changed back is not a failure", async () => {
    const app = `${PREFIX}rollback`;
    const rollback = { Parallelism: 1, FailureAction: "rollback", Monitor: 30 * S, Order: "stop-first" };
    await docker.createService(serviceSpec(app, { hash: "h1", test: HTTP_PROBE, startPeriod: 60 * S }));
    expect((await waitForTasks(engine, [app], 90_000, 250))[app]?.ok).toBe(true);

    const service = docker.getService(app);
    const { Version } = (await service.inspect()) as { Version: { Index: number } };
    await service.update({
      version: Version.Index,
      ...serviceSpec(app, { hash: "h2", test: FAILING_PROBE, update: rollback }),
    });
    const counter = countRequests(engine);
    let results: Record<string, WaitResult>;
    try {
      results = await waitForTasks(engine, [app], 180_000, 250, { expectedHashes: new Map([[app, "h2"]]) });
    } finally {
      counter.restore();
    }
    const result = results[app]!;
    // Not `running`: Swarm says rollback_completed as soon as it restored the old spec, whose
    // task may still be `starting` (its health check has a start period) when the wait returns.
    expect(result).toMatchObject({ ok: false, failed: true, problem: "rolled back" });
    // Swarm's reason is its update status while it rolls back; a wait that did not poll in that
    // window gives the failed task's own error, which says the same (the check killed it).
    expect(result.errors[0]?.text).toMatch(
      /^rolled back: (update rolled back due to failure or early termination of task \w+|task: non-zero exit \(137\): dockerexec: unhealthy container)$/,
    );
    expect(result.errors.map((e) => e.text)).toContain("unhealthy: probe says no");
    // Three lists per poll; at the end one info and one inspect, for the failed task's probe.
    const counts = counter.counts();
    expect(counts.get("GET /services")).toBe(counts.get("GET /tasks"));
    expect(counts.get("GET /info")).toBe(1);
    expect(counter.total()).toBe(3 * (counts.get("GET /tasks") ?? 0) + 2);

    // Swarm went back to the spec it had: the service is labelled h1 again, and status says so.
    const observed = await observe(engine);
    const svc = observed.services.find((s) => s.name === app);
    expect(svc?.fields.labels[LABEL.hash]).toBe("h1");
    expect(svc?.updateStatus?.state).toBe("rollback_completed");
    const row = summarizeStatus(observed, undefined, undefined, { instance: INSTANCE }).find(
      (r) => r.name === app,
    );
    expect(row?.state).toBe("rolled-back");
    expect(row?.reason).toMatch(/^rolled back: /);

    // Positive control: with the manifest back at the spec that runs, the rollback is history.
    const again = await waitForTasks(engine, [app], 30_000, 250, { expectedHashes: new Map([[app, "h1"]]) });
    expect(again[app]).toEqual({ ok: true, failed: false, running: 1, desired: 1, errors: [] });
  });
});
