import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { neededKeys, ResourceRunner, resourceKey } from "../../../src/execute/resourceRunner.js";
import type { ResourceAction } from "../../../src/reconcile/types.js";

const logger = pino({ level: "silent" });

const network = (name: string): ResourceAction => ({
  kind: "create-network",
  resource: name,
  network: { name: `alacran--${name}`, internal: false, attachable: false, encrypted: false, labels: {} },
  reason: "needed by an app",
});
const removeNetwork = (name: string): ResourceAction => ({
  kind: "remove-network",
  resource: name,
  networkId: `id-${name}`,
  name: `alacran--${name}`,
  reason: "options changed: re-created",
});

/** A port that records what it ran, fails what `failing` names, and lets tests hold calls open. */
function port(failing: Set<string> = new Set()) {
  const ran: string[] = [];
  return {
    ran,
    executeResource: async (action: ResourceAction) => {
      ran.push(`${action.kind} ${resourceKey(action)}`);
      await new Promise((r) => setTimeout(r, 5));
      if (failing.has(resourceKey(action))) throw new Error(`no room for ${resourceKey(action)}`);
    },
    describeError: (err: unknown) => (err instanceof Error ? err.message : String(err)),
  };
}

describe("ResourceRunner", () => {
  it("sets each object up once however many apps ask at the same time, re-creation in order", async () => {
    const p = port();
    const runner = new ResourceRunner({
      port: p,
      setup: [removeNetwork("back"), network("back"), network("default")],
      logger,
    });
    const asks = await Promise.all([
      runner.ensure(["network:alacran--back"]),
      runner.ensure(["network:alacran--back", "network:alacran--default"]),
      runner.ensure(["network:alacran--default", "secret:not-in-this-plan"]),
    ]);
    expect(asks.map((a) => a.size)).toEqual([0, 0, 0]);
    expect(p.ran).toEqual([
      "remove-network network:alacran--back",
      "create-network network:alacran--default",
      "create-network network:alacran--back",
    ]);
    // The same answers later, without running anything again.
    await runner.all();
    expect(p.ran).toHaveLength(3);
  });

  it("fails only the apps that need what could not be made, and cleanup goes on past a failure", async () => {
    const p = port(new Set(["network:alacran--back", "secret:old-1"]));
    const runner = new ResourceRunner({ port: p, setup: [network("back"), network("default")], logger });
    const needsBack = await runner.ensure(["network:alacran--back"]);
    const needsDefault = await runner.ensure(["network:alacran--default"]);
    expect([...needsBack]).toEqual([["network:alacran--back", "no room for network:alacran--back"]]);
    expect(needsDefault.size).toBe(0);
    const cleanup = await runner.cleanup([
      {
        kind: "remove-content",
        of: "secret",
        resource: "db",
        id: "s1",
        name: "old-1",
        reason: "no longer used",
      },
      {
        kind: "remove-content",
        of: "secret",
        resource: "db",
        id: "s2",
        name: "old-2",
        reason: "no longer used",
      },
    ]);
    expect(cleanup.map((o) => o.ok)).toEqual([false, true]);
  });

  it("keys a service's networks, secrets and configs as their actions are keyed", () => {
    expect(
      neededKeys({
        image: "x",
        env: {},
        ports: [],
        mounts: [],
        constraints: [],
        labels: {},
        replicas: 1,
        updateOrder: "start-first",
        maxReplicasPerNode: 0,
        networks: [{ network: "alacran--default", aliases: [] }],
        secrets: [
          { source: "alacran--pw--0123456789ab", target: "/run/secrets/pw", uid: "0", gid: "0", mode: 0o444 },
        ],
        configs: [
          { source: "alacran--conf--0123456789ab", target: "/conf", uid: "0", gid: "0", mode: 0o444 },
        ],
      }),
    ).toEqual([
      resourceKey(network("default")),
      "secret:alacran--pw--0123456789ab",
      "config:alacran--conf--0123456789ab",
    ]);
  });
});
