import { show } from "../../manifest/format.js";
import type { ComposePath } from "../composeDocument.js";
import type { DeployFields } from "./deploy.js";
import type { Findings } from "./findings.js";
import type { ConvertOptions } from "./options.js";

/*
 * A service with a named volume or a bind mount is a persistent app: one replica at most, pinned
 * to one node, stop-first. What its compose file asks that a persistent app cannot do is changed
 * and reported: more replicas are lowered to 1 (a warning, exit 2: two tasks on one data
 * directory is what AlaCrity exists to prevent), a `node.hostname==` or `node.id==` constraint
 * becomes its pin (`spec.node`), other placement and global mode cannot be kept.
 */

const PIN = /^\s*node\.(hostname|id)\s*==\s*(\S+)\s*$/;

export function persistentDeploy(
  deploy: DeployFields,
  path: ComposePath,
  findings: Findings,
): { deploy: DeployFields; node?: string } {
  const at = [...path, "deploy"];
  const out: DeployFields = { ...deploy };
  if (deploy.replicas !== undefined && deploy.replicas > 1) {
    findings.add(
      "warning",
      [...at, "replicas"],
      `lowered from ${deploy.replicas} to 1: the service keeps data in a volume, and a persistent app runs one replica, pinned to one node`,
    );
    out.replicas = 1;
  }
  if (deploy.mode === "global") {
    findings.add(
      "unsupported",
      [...at, "mode"],
      "global cannot be kept: the service keeps data in a volume, and a persistent app runs one task on its pinned node",
    );
    delete out.mode;
  }
  let node: string | undefined;
  if (deploy.placement !== undefined) {
    const place = [...at, "placement"];
    const constraints = deploy.placement.constraints ?? [];
    const pins = constraints.map((c) => PIN.exec(c)).filter((m) => m !== null);
    if (pins.length === 1 && constraints.length === 1) {
      node = pins[0]?.[2];
      findings.add(
        "note",
        [...place, "constraints"],
        `the constraint pins the app to ${show(node)}: spec.node`,
      );
    } else if (constraints.length > 0) {
      findings.add(
        "unsupported",
        [...place, "constraints"],
        "cannot be kept: a persistent app is pinned to one node (spec.node); set it to the node that holds the data",
      );
    }
    if (deploy.placement.preferences !== undefined)
      findings.add(
        "note",
        [...place, "preferences"],
        "left out: a persistent app runs on its one pinned node",
      );
    if (deploy.placement.maxReplicasPerNode !== undefined)
      findings.add(
        "note",
        [...place, "max_replicas_per_node"],
        "left out: a persistent app runs one replica",
      );
    delete out.placement;
  }
  for (const [field, key] of [
    ["update", "update_config"],
    ["rollback", "rollback_config"],
  ] as const) {
    const policy = out[field];
    if (policy?.order !== "start-first") continue;
    findings.add(
      "warning",
      [...at, key, "order"],
      "start-first is dropped: a persistent app is always updated stop-first (never two containers on one data directory)",
    );
    const { order: _dropped, ...rest } = policy;
    out[field] = rest;
  }
  return { deploy: out, ...(node === undefined ? {} : { node }) };
}

/**
 * With `--stack`, a persistent app is pinned to the node its task runs on now: its volume (or host
 * directory) is there, and a node AlaCrity chose instead would start it on empty data. Anything
 * that leaves the node unknown is a warning that says to set `spec.node`.
 */
export function pinToDeployment(
  composeName: string,
  declared: string | undefined,
  path: ComposePath,
  options: ConvertOptions,
  findings: Findings,
): string | undefined {
  const { stack, deployment } = options;
  if (stack === undefined || deployment === undefined) return declared;
  const unknown = (why: string) => {
    if (declared !== undefined) return declared;
    findings.add(
      "warning",
      path,
      `not pinned: ${why}; set spec.node to the node that holds its data, or the first apply chooses one (and starts it on an empty volume there)`,
    );
    return undefined;
  };
  if ("unreadable" in deployment) return unknown(`the Swarm could not be read (${deployment.unreadable})`);
  const nodes = deployment.nodes.get(composeName);
  if (nodes === undefined) return unknown(`stack ${stack} has no service ${stack}_${composeName}`);
  if (nodes.length === 0) return unknown(`no task of ${stack}_${composeName} runs now`);
  if (nodes.length > 1) {
    return unknown(`its tasks run on ${nodes.join(", ")}, each node with its own copy of the data`);
  }
  const node = nodes[0] ?? "";
  if (declared !== undefined) {
    if (declared !== node)
      findings.add(
        "warning",
        path,
        `the compose file pins it to ${show(declared)} but its task runs on ${show(node)}: spec.node keeps ${show(declared)}; check which node holds its data`,
      );
    return declared;
  }
  findings.add(
    "note",
    path,
    `pinned to ${show(node)}: its task runs there now, and so does its data (spec.node)`,
  );
  return node;
}
