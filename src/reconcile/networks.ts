import { hash } from "node:crypto";
import type { AppSpec, DesiredState, NetworkSpec } from "../manifest/types.js";
import type { NetworkFields, ObservedNetwork, ObservedState } from "../swarm/types.js";
import { DEFAULT_NETWORK, LABEL, networkName } from "../domain/names.js";
import { networksOf } from "./attachments.js";
import { ownsResource, resourceLabels } from "./resourceOwnership.js";
import type { Users } from "./resourceUse.js";
import type { PlanWarning, ResourceAction } from "./types.js";

/** What a pass does to networks: before the apps' actions, after them, and what it warns of. */
export interface ResourcePlan {
  setup: ResourceAction[];
  cleanup: ResourceAction[];
  warnings: PlanWarning[];
}

type Options = Pick<NetworkSpec, "internal" | "attachable" | "encrypted">;

/** The default network: a plain overlay, as `docker stack deploy` makes for a stack. */
const DEFAULT_OPTIONS: Options = { internal: false, attachable: false, encrypted: false };

/** The hash of a network's options, stored as its label so a reader sees what it was made with. */
export const networkOptionsHash = (o: Options): string =>
  hash(
    "sha256",
    JSON.stringify({ attachable: o.attachable, encrypted: o.encrypted, internal: o.internal }),
    "hex",
  ).slice(0, 32);

const sameOptions = (n: ObservedNetwork, o: Options): boolean =>
  n.internal === o.internal && n.attachable === o.attachable && n.encrypted === o.encrypted;

/**
 * The networks to create, re-create and remove. Every declared non-external network is created,
 * and the default one when a planned app joins it. A managed network whose options differ from
 * its document is re-created in setup (before any service could join it) when no service uses
 * it, in cleanup when its last services leave it in this pass; while services stay on it, it is
 * left as it is with a warning, because re-creating it would cut them off: the way out is for
 * those apps to leave it (take it out of their spec.networks, or remove them) for one apply.
 * A managed network nothing declares or uses any more is removed in cleanup (which the planner
 * holds back whole when a guard holds back removals, see resourcePlan.ts).
 *
 * `usersNow` / `usersAfter`: the services using each network before and after the apps' actions.
 */
export function planNetworks(
  desired: DesiredState,
  observed: ObservedState,
  instance: string,
  planned: readonly AppSpec[],
  usersNow: ReadonlyMap<string, Users>,
  usersAfter: ReadonlyMap<string, Users>,
): ResourcePlan {
  const swarm = new Map<string, ObservedNetwork>();
  for (const n of observed.networks ?? []) if (!swarm.has(n.name)) swarm.set(n.name, n);
  const wanted = new Map<string, { resource: string; options: Options; declared: boolean }>();
  for (const doc of [...(desired.networks?.values() ?? [])].sort((a, b) => compare(a.name, b.name))) {
    if (!doc.external)
      wanted.set(networkName(doc.name), { resource: doc.name, options: doc, declared: true });
  }
  const defaultName = networkName(DEFAULT_NETWORK);
  if (
    !wanted.has(defaultName) &&
    planned.some((app) => networksOf(app).some((n) => n.name === DEFAULT_NETWORK))
  )
    wanted.set(defaultName, { resource: DEFAULT_NETWORK, options: DEFAULT_OPTIONS, declared: false });

  const out: ResourcePlan = { setup: [], cleanup: [], warnings: [] };
  for (const [name, want] of wanted) {
    const fields: NetworkFields = {
      name,
      internal: want.options.internal,
      attachable: want.options.attachable,
      encrypted: want.options.encrypted,
      labels: {
        ...resourceLabels(want.resource, instance),
        [LABEL.networkHash]: networkOptionsHash(want.options),
      },
    };
    const create: ResourceAction = {
      kind: "create-network",
      resource: want.resource,
      network: fields,
      reason: want.declared ? "declared" : "needed by an app",
    };
    const existing = swarm.get(name);
    if (!existing) {
      out.setup.push(create);
      continue;
    }
    if (!ownsResource(existing.labels, instance)) {
      if (existing.labels[LABEL.managed] !== "true")
        out.warnings.push({
          message: `network ${name} exists and is not managed by AlaCrity: apps join it as it is, and AlaCrity never changes or removes it`,
        });
      continue;
    }
    if (sameOptions(existing, want.options)) continue;
    const recreate: ResourceAction[] = [
      {
        kind: "remove-network",
        resource: want.resource,
        networkId: existing.id,
        name,
        reason: "options changed: re-created",
      },
      { ...create, reason: "options changed: re-created" },
    ];
    const users = [...(usersNow.get(name)?.ours ?? []), ...(usersNow.get(name)?.others ?? [])].sort();
    if (users.length === 0) {
      out.setup.push(...recreate);
      continue;
    }
    // Its last services leave it in this pass (removed, or updated off it): re-created after them.
    const after = usersAfter.get(name);
    if (!after || after.ours.length + after.others.length === 0) {
      out.cleanup.push(...recreate);
      continue;
    }
    out.warnings.push({
      message:
        `network ${name}: its options (internal, attachable, encrypted) differ from its document, but ${users.join(", ")} ` +
        `use it, so it is left as it is; Swarm cannot change a network's options, and re-creating it would cut them off. ` +
        `To re-create it, take it out of those apps' spec.networks (or remove them) for one apply, then put it back`,
    });
  }

  for (const n of [...swarm.values()].sort((a, b) => compare(a.name, b.name))) {
    if (wanted.has(n.name) || !ownsResource(n.labels, instance)) continue;
    const users = usersAfter.get(n.name);
    if (users && users.others.length > 0) {
      out.warnings.push({
        message: `network ${n.name} is no longer declared but is still used by ${users.others.join(", ")} (not managed by this instance): it is kept`,
      });
      continue;
    }
    // Still used by one of ours (a rejected app, a held-back removal): it goes once they leave it.
    if (users && users.ours.length > 0) continue;
    out.cleanup.push({
      kind: "remove-network",
      resource: n.labels[LABEL.resource] ?? n.name,
      networkId: n.id,
      name: n.name,
      reason: "no longer used",
    });
  }
  return out;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
