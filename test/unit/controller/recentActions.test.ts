import { describe, expect, it } from "vitest";
import { RecentActions } from "../../../src/controller/recentActions.js";
import type { Action, ResourceAction } from "../../../src/reconcile/types.js";

const SECRET = "s3cr3t-in-env";

function update(app: string): Action {
  return {
    kind: "update",
    app,
    serviceId: "id",
    version: 1,
    fields: { env: { DB_PASSWORD: SECRET } },
    changes: [
      { field: "image", from: "a:1", to: "a:2" },
      { field: "env.DB_PASSWORD", from: "(set)", to: SECRET },
    ],
    reason: "manifest changed",
  } as unknown as Action;
}

describe("RecentActions", () => {
  it("keeps the last ones, newest first, with their result and the changed fields' names only", () => {
    let now = Date.UTC(2026, 11, 3, 18, 0, 0);
    const recent = new RecentActions({ capacity: 3, now: () => now });
    for (const app of ["a", "b", "c", "d"]) {
      recent.app({ action: update(app), ok: true, durationMs: 12.4 });
      now += 1000;
    }
    recent.app({
      action: update("e"),
      ok: false,
      retryable: true,
      error: "update out of sequence",
      durationMs: 3,
    });
    recent.app({ action: update("f"), ok: false, retryable: false, error: "no such image", durationMs: 3 });
    const network: ResourceAction = {
      kind: "remove-network",
      resource: "back",
      networkId: "n1",
      name: "alacran--back",
      reason: "no longer used",
    };
    recent.resource({ action: network, ok: true, durationMs: 5 });

    const list = recent.list();
    expect(list.map((a) => [a.target, a.action, a.result])).toEqual([
      ["network:alacran--back", "remove-network", "ok"],
      ["f", "update", "failed"],
      ["e", "update", "retry"],
    ]);
    expect(list[1]).toMatchObject({
      error: "no such image",
      changed: ["image", "env.DB_PASSWORD"],
      reason: "manifest changed",
      durationMs: 3,
    });
    expect(list[0]!.at).toBe("2026-12-03T18:00:04.000Z");
    // Positive control for the check below: the action given did hold the value.
    expect(JSON.stringify(update("x"))).toContain(SECRET);
    expect(JSON.stringify(list)).not.toContain(SECRET);
  });
});
