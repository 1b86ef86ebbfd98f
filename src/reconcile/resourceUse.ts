import type { ObservedState, ServiceFields } from "../swarm/types.js";
import { isManagedBy } from "../rules/ownership.js";
import type { Action } from "./types.js";

/** Who uses a network, secret or config once the plan's actions have run. */
export interface Users {
  /** Services of this instance. */
  ours: string[];
  /** Services of anyone else (unmanaged, or another instance's). */
  others: string[];
}

/** What the services use, by Swarm name, for each kind of resource. */
export interface ResourceUse {
  networks: ReadonlyMap<string, Users>;
  secrets: ReadonlyMap<string, Users>;
  configs: ReadonlyMap<string, Users>;
}

/**
 * What each service uses after `actions` (an update's new fields, a removed service nothing, a
 * created one its fields) or, with no actions, now. A resource goes only when nothing uses it
 * then: held-back removals are not in `actions`, so their services keep what they use.
 */
export function resourceUse(
  observed: ObservedState,
  instance: string,
  actions: readonly Action[] = [],
): ResourceUse {
  const updated = new Map<string, ServiceFields>();
  const removed = new Set<string>();
  for (const a of actions) {
    if (a.kind === "update") updated.set(a.serviceId, a.fields);
    else if (a.kind === "remove") removed.add(a.serviceId);
  }
  const use = {
    networks: new Map<string, Users>(),
    secrets: new Map<string, Users>(),
    configs: new Map<string, Users>(),
  };
  const add = (fields: ServiceFields, name: string, ours: boolean): void => {
    const record = (map: Map<string, Users>, key: string): void => {
      let users = map.get(key);
      if (!users) map.set(key, (users = { ours: [], others: [] }));
      (ours ? users.ours : users.others).push(name);
    };
    for (const n of fields.networks ?? []) record(use.networks, n.network);
    for (const m of fields.secrets ?? []) record(use.secrets, m.source);
    for (const m of fields.configs ?? []) record(use.configs, m.source);
  };
  for (const service of observed.services) {
    if (removed.has(service.id)) continue;
    add(updated.get(service.id) ?? service.fields, service.name, isManagedBy(service, instance));
  }
  for (const a of actions) if (a.kind === "create") add(a.fields, a.app, true);
  return use;
}
