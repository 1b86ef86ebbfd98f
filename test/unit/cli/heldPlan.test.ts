import { describe, expect, it } from "vitest";
import { planExitCode } from "../../../src/cli/planCommand.js";
import { planDocument, renderPlan } from "../../../src/cli/render/planText.js";
import { LABEL } from "../../../src/domain/names.js";
import { plan } from "../../../src/reconcile/plan.js";
import { retryProblems } from "../../../src/reconcile/retry.js";
import type { ObservedState } from "../../../src/swarm/types.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "../reconcile/builders.js";

const REASON = "task: non-zero exit (137): dockerexec: unhealthy container";
const v1 = anApp("web").image("img:1").build();
const v2 = anApp("web").image("img:2").build();
const hashOf = (app: typeof v1): string => serviceFor(app).fields.labels[LABEL.hash] ?? "";

/** web runs v1 again after Swarm rolled back v2, and the hold of v2 is recorded. */
function heldSwarm(): ObservedState {
  const state = aSwarm().withNode("n1").withDefaultNetwork().withService(serviceFor(v1)).build();
  state.holds = [{ app: "web", hash: hashOf(v2), reason: REASON, configId: "cfg-hold-web" }];
  return state;
}

const HELD_LINE = `! web held: the manifest's spec was rolled back by Swarm (${REASON}); change the manifest or retry with \`alacrity apply --retry web\``;

describe("plan output of a held app", () => {
  it("prints the held line, never 'No changes', and exits 1", () => {
    const p = plan(desiredOf([v2]), heldSwarm(), OPTIONS);
    const text = renderPlan(p).split("\n");
    expect(text).toContain(HELD_LINE);
    expect(text.at(-1)).toBe(
      "Plan: 0 to create, 0 to update, 0 to scale, 0 to remove, 0 to pin, 0 rejected, 1 held after a rollback.",
    );
    expect(planExitCode(p, 0)).toBe(1);
    // Positive control: the same Swarm without the record plans the update (exit 2).
    const free = { ...heldSwarm(), holds: [] };
    const updating = plan(desiredOf([v2]), free, OPTIONS);
    expect(renderPlan(updating)).toContain("~ update web (manifest changed)");
    expect(planExitCode(updating, 0)).toBe(2);
  });

  it("lists the held app in the JSON document and its summary", () => {
    const document = planDocument(plan(desiredOf([v2]), heldSwarm(), OPTIONS)) as {
      held: unknown[];
      summary: { held: number };
    };
    expect(document.held).toEqual([
      { app: "web", hash: hashOf(v2), swarmReason: REASON, message: HELD_LINE.slice("! web ".length) },
    ]);
    expect(document.summary.held).toBe(1);
  });

  it("prints the hold and release actions", () => {
    const released = plan(desiredOf([v2]), heldSwarm(), { ...OPTIONS, retry: new Set(["web"]) });
    expect(renderPlan(released).split("\n").slice(0, 2)).toEqual([
      "! release the hold on web (retry requested)",
      "~ update web (manifest changed)",
    ]);
  });
});

describe("apply --retry: which names it takes", () => {
  const desired = desiredOf([v2, anApp("api").build()]);
  it.each([
    { names: ["web"], problems: [] },
    {
      names: ["nope"],
      problems: ["--retry nope: no manifest defines an app named nope; name an app held after a rollback"],
    },
    {
      names: ["api", "web"],
      problems: [
        "--retry api: api is not held (Swarm did not roll back its manifest's spec, or the manifest changed since); a plain apply applies it",
      ],
    },
  ])("$names", ({ names, problems }) => {
    expect(retryProblems(names, desired, heldSwarm(), OPTIONS)).toEqual(problems);
  });

  it("asks the planner without the retry itself (a retried app is not held in that plan)", () => {
    expect(retryProblems(["web"], desired, heldSwarm(), { ...OPTIONS, retry: new Set(["web"]) })).toEqual([]);
  });
});
