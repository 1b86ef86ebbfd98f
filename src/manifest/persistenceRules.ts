import { NONE, type AppRule } from "./ruleTypes.js";

/** CONTRACT §2.2: a persistent app runs 0 or 1 replica, never more. */
export const PERSISTENT_REPLICAS: AppRule<"persistent-replicas"> = {
  id: "persistent-replicas",
  title: "A persistent app never runs more than one replica",
  contract: "§2.2",
  input: "app",
  check: (app) =>
    app.persistent && (app.replicas ?? 1) > 1
      ? [
          {
            path: ["spec", "replicas"],
            message: `a persistent app cannot have more than 1 replica (got ${app.replicas}); persistent apps are pinned to one node`,
          },
        ]
      : NONE,
};

/** CONTRACT §2.6: volumes only on persistent apps, with the fix in the message. */
export const VOLUMES_NEED_PERSISTENCE: AppRule<"volumes-need-persistence"> = {
  id: "volumes-need-persistence",
  title: "Only persistent apps may declare volumes",
  contract: "§2.6",
  input: "app",
  check: (app) =>
    !app.persistent && app.volumes.length > 0
      ? [
          {
            path: ["spec", "volumes"],
            message: "only persistent apps may declare volumes; set spec.persistent: true",
          },
        ]
      : NONE,
};

/** CONTRACT §2.9 (and `spec.node` in §1): only persistent apps are pinned, so only they name a node. */
export const NODE_NEEDS_PERSISTENCE: AppRule<"node-needs-persistence"> = {
  id: "node-needs-persistence",
  title: "Only persistent apps name a node (spec.node)",
  contract: "§2.9",
  input: "app",
  check: (app) =>
    !app.persistent && app.node !== undefined
      ? [
          {
            path: ["spec", "node"],
            message:
              "only persistent apps are pinned to a node; set spec.persistent: true or remove spec.node (Swarm places non-persistent apps freely)",
          },
        ]
      : NONE,
};
