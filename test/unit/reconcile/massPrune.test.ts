import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, anApp, desiredOf, OPTIONS, orphanService, serviceFor } from "./builders.js";

describe("the mass-prune guard (mass-prune-guard) counts the apps the same pass creates", () => {
  // Found by the idempotence property: 2 kept + 3 orphans (3 of 5: held back), plus 1 new app.
  // Counting only existing services held the 3 removals back, and the next pass, which sees the
  // new app (3 of 6), let them through without --allow-mass-prune: apply was not idempotent.
  const kept = [anApp("a").build(), anApp("b").build()];
  const swarm = () => {
    const s = aSwarm().withNode("node-1");
    for (const app of kept) s.withService(serviceFor(app));
    for (const name of ["d", "f", "u"]) s.withService(orphanService(name));
    return s.build();
  };

  it("decides the same way before and after the creates", () => {
    const withNew = plan(desiredOf([...kept, anApp("c").build()]), swarm(), OPTIONS);
    expect(withNew.actions.map((a) => `${a.kind} ${a.app}`)).toEqual([
      "create c",
      "remove d",
      "remove f",
      "remove u",
    ]);
    expect(withNew.heldBack).toEqual([]);
  });

  it("still holds back 3 of 5 when nothing is created", () => {
    const without = plan(desiredOf(kept), swarm(), OPTIONS);
    expect(without.actions).toEqual([]);
    expect(without.heldBack.map((a) => a.app)).toEqual(["d", "f", "u"]);
    expect(without.warnings.map((w) => w.message).join()).toContain("remove 3 of 5 managed apps");
  });
});
