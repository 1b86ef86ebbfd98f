import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import type { Plan } from "../../../src/reconcile/types.js";
import type { ProbeOutput } from "../../../src/domain/taskHealth.js";
import type { ObservedService, ObservedUpdateStatus } from "../../../src/swarm/types.js";
import { renderStatusTable } from "../../../src/cli/render/statusTable.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";

const UNHEALTHY = "task: non-zero exit (137): dockerexec: unhealthy container";
const HTTP_CHECK = { test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/"], interval: 1e9 };

const web = () => anApp("web").build();

/** The web service, with a health check in its spec unless `checked` is false. */
function webService(
  options: { checked?: boolean; updateStatus?: ObservedUpdateStatus } = {},
): ObservedService {
  const service = serviceFor(web(), undefined, OPTIONS, (f) => {
    if (options.checked !== false) f.healthcheck = HTTP_CHECK;
  });
  if (options.updateStatus) service.updateStatus = options.updateStatus;
  return service;
}

const rowOf = (...args: Parameters<typeof summarizeStatus>) => {
  const [row] = summarizeStatus(...args);
  if (!row) throw new Error("no row");
  return row;
};

const probes = (entries: [string, ProbeOutput][]): Map<string, ProbeOutput> => new Map(entries);

describe("summarizeStatus: health", () => {
  it("an app with a health check whose tasks run is running (healthy); one without has no health", () => {
    const checked = aSwarm().withService(webService()).withTask({ serviceId: "svc-web" }).build();
    expect(rowOf(checked)).toMatchObject({ state: "running", health: "healthy", reason: "" });
    expect(renderStatusTable([rowOf(checked)])).toContain("running (healthy)");

    const unchecked = aSwarm()
      .withService(webService({ checked: false }))
      .withTask({ serviceId: "svc-web" })
      .build();
    expect(rowOf(unchecked)).toEqual(expect.objectContaining({ state: "running", reason: "" }));
    expect(rowOf(unchecked)).not.toHaveProperty("health");
    expect(renderStatusTable([rowOf(unchecked)])).not.toContain("(healthy)");
  });

  it("starting while the check has not passed, with the last probe output when there is one", () => {
    const observed = aSwarm()
      .withService(webService())
      .withTask({ id: "t1", serviceId: "svc-web", state: "starting" })
      .build();
    expect(rowOf(observed)).toMatchObject({
      state: "starting",
      health: "starting",
      reason: "the health check has not passed yet (0 of 1 tasks running)",
    });
    const withProbe = rowOf(observed, undefined, undefined, {
      probes: probes([["t1", { kind: "output", text: "connection refused" }]]),
    });
    expect(withProbe.reason).toBe(
      "the health check has not passed yet (0 of 1 tasks running; last probe: connection refused)",
    );
  });

  it("a starting task of a service without a health check is only converging (every task starts)", () => {
    const observed = aSwarm()
      .withService(webService({ checked: false }))
      .withTask({ serviceId: "svc-web", state: "starting" })
      .build();
    expect(rowOf(observed)).toMatchObject({ state: "converging", reason: "0 of 1 tasks running" });
  });

  it("unhealthy with the probe output of the newest failed task, on this node or another", () => {
    const observed = aSwarm()
      .withService(webService())
      .withTask({
        id: "old",
        serviceId: "svc-web",
        state: "failed",
        desiredState: "shutdown",
        error: UNHEALTHY,
      })
      .withTask({
        id: "new",
        serviceId: "svc-web",
        state: "failed",
        desiredState: "shutdown",
        error: UNHEALTHY,
      })
      .withTask({ id: "next", serviceId: "svc-web", state: "starting" })
      .build();
    const local = rowOf(observed, undefined, undefined, {
      probes: probes([
        ["old", { kind: "output", text: "old output" }],
        ["new", { kind: "output", text: "HTTP/1.1 500 Internal Server Error" }],
      ]),
    });
    expect(local).toMatchObject({
      state: "unhealthy",
      health: "unhealthy",
      reason: "unhealthy: HTTP/1.1 500 Internal Server Error",
    });
    const remote = rowOf(observed, undefined, undefined, {
      probes: probes([["new", { kind: "remote", node: "worker-3" }]]),
    });
    expect(remote.reason).toBe(
      "unhealthy: its probe output is on node worker-3, whose engine we do not talk to (docker inspect the container there)",
    );
    expect(rowOf(observed).reason).toBe(`unhealthy (Swarm: ${UNHEALTHY})`);
    const gone = rowOf(observed, undefined, undefined, { probes: probes([["new", { kind: "none" }]]) });
    expect(gone.reason).toBe("unhealthy: no probe output recorded");
  });

  it("a task that failed for another reason is not called unhealthy", () => {
    const observed = aSwarm()
      .withService(webService())
      .withTask({
        serviceId: "svc-web",
        state: "failed",
        desiredState: "shutdown",
        error: "task: non-zero exit (1)",
      })
      .build();
    expect(rowOf(observed)).toMatchObject({
      state: "failed",
      reason: "task failed: task: non-zero exit (1)",
    });
    expect(rowOf(observed)).not.toHaveProperty("health");
  });
});

const ROLLED_BACK: ObservedUpdateStatus = {
  state: "rollback_completed",
  message: "rollback completed",
};

describe("summarizeStatus: updates Swarm rolled back or paused", () => {
  const failedTask = {
    id: "bad",
    serviceId: "svc-web",
    state: "failed",
    desiredState: "shutdown",
    error: UNHEALTHY,
    specHash: "f".repeat(64),
  };

  it("rolled back: the failed task's probe output and the spec that failed, without a plan", () => {
    const observed = aSwarm()
      .withService(webService({ updateStatus: ROLLED_BACK }))
      .withTask(failedTask)
      .withTask({ serviceId: "svc-web" })
      .build();
    const row = rowOf(observed, undefined, undefined, {
      probes: probes([["bad", { kind: "output", text: "nope" }]]),
    });
    expect(row).toMatchObject({
      state: "rolled-back",
      failedSpec: "f".repeat(64),
      reason: "rolled back: unhealthy: nope; spec ffffffffffff failed",
    });
    expect(row).not.toHaveProperty("held");
  });

  it("rolled back and held: Swarm's reason from the hold, and that the manifest's spec is held", () => {
    const observed = aSwarm()
      .withService(webService({ updateStatus: ROLLED_BACK }))
      .withTask(failedTask)
      .withTask({ serviceId: "svc-web" })
      .build();
    const desired = desiredOf([web()]);
    const reason = "update rolled back due to failure or early termination of task bad";
    const held: Plan = {
      ...plan(desired, observed, OPTIONS),
      held: [{ app: "web", hash: "a".repeat(64), swarmReason: reason, message: `held: (${reason})` }],
    };
    const row = rowOf(observed, desired, held, {
      probes: probes([["bad", { kind: "output", text: "nope" }]]),
    });
    expect(row).toMatchObject({ state: "rolled-back", held: true, failedSpec: "a".repeat(64) });
    expect(row.reason).toBe(
      `rolled back: ${reason} (unhealthy: nope); spec aaaaaaaaaaaa failed; the manifest's spec is held: ` +
        "change the manifest or retry with `alacrity apply --retry web`",
    );
    expect(renderStatusTable([row])).toContain("rolled-back");
  });

  it("a rollback is history once the manifest is the spec that runs (a plan with nothing for the app)", () => {
    const observed = aSwarm()
      .withService(webService({ checked: false, updateStatus: ROLLED_BACK }))
      .withTask(failedTask)
      .withTask({ serviceId: "svc-web" })
      .build();
    const desired = desiredOf([web()]);
    const p = plan(desired, observed, OPTIONS);
    expect(p.actions.filter((a) => a.app === "web")).toEqual([]);
    expect(rowOf(observed, desired, p)).toMatchObject({ state: "running", reason: "" });
    // Positive control: the same Swarm, read without the manifest, shows the rollback.
    expect(rowOf(observed).state).toBe("rolled-back");
  });

  it("update paused: Swarm's reason and the failed task's", () => {
    const observed = aSwarm()
      .withService(
        webService({
          updateStatus: {
            state: "paused",
            message: "update paused due to failure or early termination of task bad",
          },
        }),
      )
      .withTask(failedTask)
      .withTask({ serviceId: "svc-web" })
      .build();
    expect(rowOf(observed)).toMatchObject({
      state: "update-paused",
      reason: `update paused: update paused due to failure or early termination of task bad (unhealthy (Swarm: ${UNHEALTHY}))`,
    });
  });

  it("an update in progress or completed changes nothing", () => {
    for (const state of ["updating", "completed", "rollback_started"]) {
      const observed = aSwarm()
        .withService(webService({ updateStatus: { state, message: "update in progress" } }))
        .withTask({ serviceId: "svc-web" })
        .build();
      expect(rowOf(observed)).toMatchObject({ state: "running", health: "healthy" });
    }
  });
});
