import type { ObservedState, ServiceFields } from "../../../src/swarm/types.js";
import type { Action, Plan, ResourceAction } from "../../../src/reconcile/types.js";

/**
 * A small in-memory model of what the executor does to the Swarm, for the idempotence property
 * only: it applies pin/create/update/scale/remove and hold records to an ObservedState. Tasks and volumes are not
 * modelled (the planner reads tasks only to detect a rollback, which a test sets up itself).
 */
export function applyPlan(state: ObservedState, actions: Action[]): ObservedState {
  const next = structuredClone(state);
  let counter = next.pins.length + next.services.length;
  for (const a of actions) {
    counter += 1;
    switch (a.kind) {
      case "pin": {
        if (a.leaves) {
          next.leftBehind = (next.leftBehind ?? []).filter(
            (l) => l.app !== a.app || l.nodeId !== a.leaves?.nodeId,
          );
          next.leftBehind.push({ app: a.app, configId: `cfg-left-${counter}`, ...structuredClone(a.leaves) });
        }
        next.pins = next.pins.filter((p) => p.app !== a.app && p.configId !== a.replaces);
        next.pins.push({
          app: a.app,
          nodeId: a.nodeId,
          hostname: a.hostname,
          configId: `cfg-mem-${counter}`,
          version: 1,
          ...(a.storage ? { storage: structuredClone(a.storage) } : {}),
        });
        break;
      }
      case "record-storage": {
        const record = next.pins.find((p) => p.configId === a.configId && (p.version ?? 0) === a.version);
        if (!record) throw new Error(`record-storage: no pin ${a.configId} at version ${a.version}`);
        record.storage = structuredClone(a.storage);
        record.version = a.version + 1;
        break;
      }
      case "create": {
        if (next.services.some((s) => s.serviceName === (a.serviceName ?? a.app)))
          throw new Error(`create: ${a.app} exists`);
        next.services.push({
          id: `svc-mem-${counter}`,
          name: a.app,
          serviceName: a.serviceName ?? a.app,
          version: 1,
          fields: asStored(a.fields),
          rawSpec: {},
          createdAt: "",
          updatedAt: "",
        });
        break;
      }
      case "update": {
        const s = find(next, a.serviceId, a.version);
        if (a.recreate) {
          // Removed and created again (a change of mode): a new service, under the same name.
          next.services = next.services.filter((x) => x.id !== a.serviceId);
          next.services.push({
            ...s,
            id: `svc-mem-${counter}`,
            name: a.app,
            serviceName: a.serviceName ?? a.app,
            version: 1,
            fields: asStored(a.fields),
          });
          break;
        }
        s.fields = asStored(a.fields);
        // An adopted service is the app's from now on (its Swarm name stays).
        s.name = a.app;
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
      case "hold": {
        const holds = (next.holds ?? []).filter((h) => h.configId !== a.replaces);
        if (holds.some((h) => h.app === a.app)) throw new Error(`hold: ${a.app} already has a record`);
        holds.push({
          app: a.app,
          instance: a.instance,
          hash: a.hash,
          reason: a.swarmReason,
          configId: `hold-mem-${counter}`,
        });
        next.holds = holds;
        break;
      }
      case "release-hold": {
        next.holds = (next.holds ?? []).filter((h) => h.configId !== a.configId);
        break;
      }
    }
  }
  return next;
}

/**
 * What Swarm keeps of the fields: every value, AlaCrity's defaults included, but not the list of
 * which were defaults (observe cannot know it).
 */
function asStored(fields: ServiceFields): ServiceFields {
  const stored = structuredClone(fields);
  delete stored.defaulted;
  return stored;
}

function find(state: ObservedState, id: string, version?: number): ObservedState["services"][number] {
  const s = state.services.find((x) => x.id === id);
  if (!s) throw new Error(`no service ${id}`);
  // Swarm's optimistic concurrency: an update planned against an old version is refused.
  if (version !== undefined && s.version !== version)
    throw new Error(`service ${id}: stale version ${version}`);
  return s;
}

/**
 * The whole plan as the executor runs it: setup (networks, secrets, configs), the apps' actions,
 * then cleanup. Creating a resource whose name exists, or removing one that does not, throws: the
 * idempotence property then catches a plan that would fail on the real Swarm.
 */
export function applyWholePlan(state: ObservedState, plan: Plan): ObservedState {
  let next = applyResources(state, plan.setup ?? []);
  next = applyPlan(next, plan.actions);
  return applyResources(next, plan.cleanup ?? []);
}

export function applyResources(state: ObservedState, actions: readonly ResourceAction[]): ObservedState {
  const next = structuredClone(state);
  let counter = 0;
  for (const a of actions) {
    counter += 1;
    switch (a.kind) {
      case "create-network": {
        const networks = (next.networks ??= []);
        if (networks.some((n) => n.name === a.network.name))
          throw new Error(`network ${a.network.name} exists`);
        networks.push({
          id: `net-mem-${a.network.name}-${counter}`,
          name: a.network.name,
          driver: "overlay",
          scope: "swarm",
          internal: a.network.internal,
          attachable: a.network.attachable,
          encrypted: a.network.encrypted,
          labels: { ...a.network.labels },
        });
        break;
      }
      case "remove-network": {
        if (!next.networks?.some((n) => n.id === a.networkId)) throw new Error(`no network ${a.networkId}`);
        // Swarm refuses to remove a network a service is attached to.
        if (next.services.some((s) => s.fields.networks?.some((n) => n.network === a.name)))
          throw new Error(`network ${a.name} is in use`);
        next.networks = next.networks.filter((n) => n.id !== a.networkId);
        break;
      }
      case "create-content": {
        const list = a.of === "secret" ? (next.secrets ??= []) : (next.configs ??= []);
        if (list.some((c) => c.name === a.name)) throw new Error(`${a.of} ${a.name} exists`);
        list.push({ id: `${a.of}-mem-${a.name}`, name: a.name, labels: { ...a.labels } });
        break;
      }
      case "remove-content": {
        const list = a.of === "secret" ? next.secrets : next.configs;
        if (!list?.some((c) => c.id === a.id)) throw new Error(`no ${a.of} ${a.id}`);
        const key = a.of === "secret" ? "secrets" : "configs";
        // Swarm refuses to remove a secret or config a service uses.
        if (next.services.some((s) => s.fields[key]?.some((m) => m.source === a.name)))
          throw new Error(`${a.of} ${a.name} is in use`);
        if (a.of === "secret") next.secrets = list.filter((c) => c.id !== a.id);
        else next.configs = list.filter((c) => c.id !== a.id);
        break;
      }
    }
  }
  return next;
}
