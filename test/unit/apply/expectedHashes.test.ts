import { describe, expect, it } from "vitest";
import { expectedHashes, startedTaskHashes } from "../../../src/apply/expectedHashes.js";
import { LABEL } from "../../../src/domain/names.js";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "../reconcile/builders.js";

describe("expectedHashes", () => {
  it("an unchanged app expects its service's hash, an updated or created one the new spec's, a held one the held spec's", () => {
    const same = anApp("same").build();
    const changed = anApp("changed").build();
    const fresh = anApp("fresh").build();
    const observed = aSwarm()
      .withService(serviceFor(same))
      .withService(
        serviceFor(changed, undefined, OPTIONS, (f) => {
          f.labels[LABEL.hash] = "stale";
          f.image = "busybox:old";
        }),
      )
      .build();
    const p = plan(desiredOf([same, changed, fresh]), observed, OPTIONS);
    const update = p.actions.find((a) => a.app === "changed");
    const create = p.actions.find((a) => a.app === "fresh");
    if (update?.kind !== "update" || create?.kind !== "create")
      throw new Error("expected an update and a create");
    const hashes = expectedHashes(observed, {
      ...p,
      held: [{ app: "held", hash: "held-hash", swarmReason: "r", message: "m" }],
    });
    expect(hashes.get("same")).toBe(observed.services[0]?.fields.labels[LABEL.hash]);
    expect(hashes.get("changed")).toBe(update.fields.labels[LABEL.hash]);
    expect(hashes.get("changed")).not.toBe("stale");
    expect(hashes.get("fresh")).toBe(create.fields.labels[LABEL.hash]);
    expect(hashes.get("held")).toBe("held-hash");
  });

  it("only a create and an update that restarts expect new tasks; a label-only update keeps them", () => {
    const relabel = anApp("relabel").label("team", "b").build();
    const reimage = anApp("reimage").build();
    const fresh = anApp("fresh").build();
    const observed = aSwarm()
      .withService(serviceFor(relabel, undefined, OPTIONS, (f) => (f.labels.team = "a")))
      .withService(serviceFor(reimage, undefined, OPTIONS, (f) => (f.image = "busybox:old")))
      .build();
    const p = plan(desiredOf([relabel, reimage, fresh]), observed, OPTIONS);
    const byApp = new Map(p.actions.map((a) => [a.app, a]));
    expect(byApp.get("relabel")).toMatchObject({ kind: "update", restarts: false });
    expect(byApp.get("reimage")).toMatchObject({ kind: "update", restarts: true });
    const started = startedTaskHashes(p);
    expect([...started.keys()].sort()).toEqual(["fresh", "reimage"]);
    const reimaged = byApp.get("reimage");
    if (reimaged?.kind !== "update") throw new Error("expected an update");
    expect(started.get("reimage")).toBe(reimaged.fields.labels[LABEL.hash]);
  });
});
