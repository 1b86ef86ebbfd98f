import type { ObservedState } from "../../../src/swarm/types.js";
import type { Action } from "../../../src/reconcile/types.js";

/**
 * A small in-memory model of what the executor does to the Swarm, for the idempotence property
 * only: it applies pin/create/update/scale/remove to an ObservedState. Tasks and volumes are not
 * modelled (the planner does not read them).
 */
export function applyPlan(state: ObservedState, actions: Action[]): ObservedState {
  const next = structuredClone(state);
  let counter = next.pins.length + next.services.length;
  for (const a of actions) {
    counter += 1;
    switch (a.kind) {
      case "pin": {
        next.pins = next.pins.filter((p) => p.app !== a.app && p.configId !== a.replaces);
        next.pins.push({
          app: a.app,
          nodeId: a.nodeId,
          hostname: a.hostname,
          configId: `cfg-mem-${counter}`,
        });
        break;
      }
      case "create": {
        if (next.services.some((s) => s.name === a.app)) throw new Error(`create: ${a.app} exists`);
        next.services.push({
          id: `svc-mem-${counter}`,
          name: a.app,
          version: 1,
          fields: structuredClone(a.fields),
          rawSpec: {},
          createdAt: "",
          updatedAt: "",
        });
        break;
      }
      case "update": {
        const s = find(next, a.serviceId, a.version);
        s.fields = structuredClone(a.fields);
        s.version += 1;
        break;
      }
      case "scale": {
        const s = find(next, a.serviceId, a.version);
        s.fields.replicas = a.to;
        s.version += 1;
        break;
      }
      case "remove": {
        find(next, a.serviceId);
        next.services = next.services.filter((s) => s.id !== a.serviceId);
        break;
      }
    }
  }
  return next;
}

function find(state: ObservedState, id: string, version?: number): ObservedState["services"][number] {
  const s = state.services.find((x) => x.id === id);
  if (!s) throw new Error(`no service ${id}`);
  // Swarm's optimistic concurrency: an update planned against an old version is refused.
  if (version !== undefined && s.version !== version)
    throw new Error(`service ${id}: stale version ${version}`);
  return s;
}
