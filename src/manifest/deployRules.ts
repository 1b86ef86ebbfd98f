import { show } from "./format.js";
import type { FieldProblem } from "./zodIssues.js";
import { NONE, type AppRule, type DocumentRule } from "./ruleTypes.js";

/*
 * How an app is deployed (issue 17): what a persistent app may not ask of Swarm, and what a global
 * app cannot have. A persistent app runs on the one node that holds its data, one task at a time.
 */

/** CONTRACT §2.10: never two containers on one data directory, not even during an update. */
export const PERSISTENT_STOP_FIRST: AppRule<"persistent-stop-first"> = {
  id: "persistent-stop-first",
  title: "A persistent app is updated and rolled back stop-first",
  contract: "§2.10",
  input: "app",
  check: (app) => {
    if (!app.persistent) return NONE;
    const problems: FieldProblem[] = [];
    for (const field of ["update", "rollback"] as const) {
      const order = app[field]?.order;
      if (order !== "start-first") continue;
      problems.push({
        path: ["spec", field, "order"],
        message: `a persistent app is always ${field === "update" ? "updated" : "rolled back"} stop-first (got ${show(order)}): with start-first the new task starts before the old one stops, and two containers would share its data directory; remove order or write stop-first`,
      });
    }
    return problems;
  },
};

/** CONTRACT §2.2 and §2.3: a persistent app's one task runs on its pinned node, not on every node. */
export const PERSISTENT_NOT_GLOBAL: AppRule<"persistent-not-global"> = {
  id: "persistent-not-global",
  title: "A persistent app is not global",
  contract: "§2.3",
  input: "app",
  check: (app) =>
    app.persistent && app.mode === "global"
      ? [
          {
            path: ["spec", "mode"],
            message:
              'a persistent app cannot be global (got "global"): its data lives on the one node it is pinned to, and a global app runs a task on every node; remove spec.mode, or make the app non-persistent if it keeps no data',
          },
        ]
      : NONE,
};

/** CONTRACT §2.3 and §5: the pin is a persistent app's placement; `spec.placement` is for the others. */
export const PERSISTENT_PLACEMENT: AppRule<"persistent-placement"> = {
  id: "persistent-placement",
  title: "Only non-persistent apps set spec.placement",
  contract: "§2.3",
  input: "app",
  check: (app) =>
    app.persistent && app.placement !== undefined
      ? [
          {
            path: ["spec", "placement"],
            message:
              "a persistent app cannot set placement: the pin is its placement (it runs on the node that holds its data); remove spec.placement, and give spec.node to choose that node",
          },
        ]
      : NONE,
};

/**
 * A global app runs one task on every eligible node, so a count of tasks means nothing for it.
 * On the document as written: the planned app has `replicas` filled in with the default.
 */
export const GLOBAL_REPLICAS: DocumentRule<"global-replicas"> = {
  id: "global-replicas",
  title: "A global app sets no replica count",
  contract: "extension",
  input: "document",
  check: ({ spec }) => {
    if (spec.mode !== "global") return NONE;
    const problems: FieldProblem[] = [];
    if (spec.replicas !== undefined) {
      problems.push({
        path: ["spec", "replicas"],
        message: `a global app runs one task on every eligible node, so it takes no replicas (got ${spec.replicas}); remove spec.replicas, or remove mode: global to run a fixed number of tasks`,
      });
    }
    const perNode = spec.placement?.maxReplicasPerNode;
    if (perNode !== undefined) {
      problems.push({
        path: ["spec", "placement", "maxReplicasPerNode"],
        message: `a global app runs one task per node already, so maxReplicasPerNode does not apply (got ${perNode}); remove it`,
      });
    }
    return problems;
  },
};
