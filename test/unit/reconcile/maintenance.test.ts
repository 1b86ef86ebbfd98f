import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import type { MaintenanceRecord, ObservedState } from "../../../src/swarm/types.js";
import { aSwarm, anApp, desiredOf, OPTIONS } from "./builders.js";
import { applyWholePlan } from "./memorySwarm.js";

/* Issue 19: an app stopped by `alacrity backup`, `restore` or `move` is left alone by the planner. */

const record = (app: string, operation: MaintenanceRecord["operation"] = "backup"): MaintenanceRecord => ({
  app,
  operation,
  by: "ops-1 4242",
  since: "2026-12-03T12:00:00.000Z",
  replicas: 1,
  configId: `cfg-maintenance-${app}`,
});

const db = () => anApp("db").persistent().withVolume("data", "/data");
const web = () => anApp("web").replicas(2);

/** db and web deployed as the manifests say, then db scaled to 0 by a backup that holds its record. */
function stoppedForBackup(operation: MaintenanceRecord["operation"] = "backup"): ObservedState {
  const empty = aSwarm().withNode("a").build();
  const deployed = applyWholePlan(empty, plan(desiredOf([db().build(), web().build()]), empty, OPTIONS));
  return {
    ...deployed,
    services: deployed.services.map((s) =>
      s.name === "db" ? { ...s, fields: { ...s.fields, replicas: 0 } } : s,
    ),
    maintenance: [record("db", operation)],
  };
}

describe("an app under maintenance", () => {
  it("gets no scale back while its record is there, and is planned as usual once it is gone", () => {
    const observed = stoppedForBackup();
    const busy = plan(desiredOf([db().build(), web().build()]), observed, OPTIONS);
    expect(busy.actions).toEqual([]);
    expect(busy.busy).toEqual([
      {
        app: "db",
        operation: "backup",
        message:
          "stopped by `alacrity backup db` (ops-1 4242) since 2026-12-03T12:00:00.000Z; that command starts it again when it ends (if it was killed, run it again to finish)",
      },
    ]);
    // Positive control: without the record the planner scales it back at once.
    const free = plan(desiredOf([db().build(), web().build()]), { ...observed, maintenance: [] }, OPTIONS);
    expect(free.actions).toMatchObject([{ kind: "scale", app: "db", to: 1 }]);
    expect(free.busy).toBeUndefined();
  });

  it("gets no update and no removal either, while the other apps are planned", () => {
    const observed = stoppedForBackup("move");
    const changed = db().env("MODE", "new").build();
    const withChange = plan(desiredOf([changed, web().replicas(3).build()]), observed, OPTIONS);
    expect(withChange.actions.map((a) => a.app)).toEqual(["web"]);
    expect(withChange.busy?.map((b) => b.operation)).toEqual(["move"]);

    const removed = plan(desiredOf([web().build()]), observed, OPTIONS);
    expect(removed.actions).toEqual([]);
    const control = plan(desiredOf([web().build()]), { ...observed, maintenance: [] }, OPTIONS);
    expect(control.actions).toMatchObject([{ kind: "remove", app: "db" }]);
  });

  it("shows in status as under maintenance, with who holds it and how to finish", () => {
    const observed = stoppedForBackup("restore");
    const rows = summarizeStatus(observed, desiredOf([db().build(), web().build()]));
    const row = rows.find((r) => r.name === "db");
    expect(row).toMatchObject({ state: "maintenance", running: 0 });
    expect(row?.reason).toContain("stopped by `alacrity restore db` (ops-1 4242)");
    expect(rows.find((r) => r.name === "web")?.state).not.toBe("maintenance");
    const free = summarizeStatus({ ...observed, maintenance: [] }, desiredOf([db().build(), web().build()]));
    expect(free.find((r) => r.name === "db")?.state).not.toBe("maintenance");
  });
});

describe("alacrity.dev/backup-before-update", () => {
  const annotated = () => db().annotate("alacrity.dev/backup-before-update", "true");

  function deployed(app: ReturnType<typeof db>): ObservedState {
    const empty = aSwarm().withNode("a").build();
    return applyWholePlan(empty, plan(desiredOf([app.build()]), empty, OPTIONS));
  }

  it("marks an update that restarts a persistent app, and only such an update", () => {
    const observed = deployed(annotated());
    const restarting = plan(desiredOf([annotated().env("MODE", "new").build()]), observed, OPTIONS);
    expect(restarting.actions).toMatchObject([
      { kind: "update", app: "db", restarts: true, backupFirst: true },
    ]);

    // Positive control: the same update without the annotation is not marked.
    const plain = plan(desiredOf([db().env("MODE", "new").build()]), deployed(db()), OPTIONS);
    expect(plain.actions).toMatchObject([{ kind: "update", restarts: true }]);
    expect(plain.actions[0]).not.toHaveProperty("backupFirst");

    // A label change restarts nothing: no backup for it.
    const relabel = plan(desiredOf([annotated().label("team", "shop").build()]), observed, OPTIONS);
    expect(relabel.actions).toMatchObject([{ kind: "update", restarts: false }]);
    expect(relabel.actions[0]).not.toHaveProperty("backupFirst");
  });
});
