import { formatCpus, formatMemory } from "../manifest/resources.js";
import type { ServiceFields } from "../swarm/types.js";
import { isOwnLabel } from "../domain/names.js";
import { pinConstraint } from "./desiredFields.js";
import { formatList, formatMount, formatPorts, formatReplicas } from "./diff.js";
import { SET } from "./redact.js";
import type { NodeChoice, PlannedNode } from "./types.js";

/** One attribute of a service to be created, named and written as `diffFields` names and writes it. */
export interface Attribute {
  field: string;
  value: string;
}

const NODE_CHOICE: Record<NodeChoice, string> = {
  "spec.node": "set by spec.node",
  "fewest pinned apps": "chosen: the node with the fewest pinned apps",
  "existing pin": "its existing pin (its data is there)",
};

/**
 * What a create will set, as a reviewer reads it: the image and replicas; for a persistent app the
 * node and why that one; command, args, mounts, ports, env, constraints, resources and labels where
 * set; and the update order later updates use. Env values read `(set)`, never the value;
 * AlaCrity's own labels are left out, and so is the pin constraint, which `node` already shows.
 */
export function createAttributes(fields: ServiceFields, node?: PlannedNode): Attribute[] {
  const out: Attribute[] = [{ field: "image", value: fields.image }];
  const add = (field: string, value: string): void => void out.push({ field, value });
  if (fields.command) add("command", formatList(fields.command));
  if (fields.args) add("args", formatList(fields.args));
  add("replicas", formatReplicas(fields.replicas));
  if (node) add("node", `${node.hostname || node.nodeId} (${node.nodeId}), ${NODE_CHOICE[node.why]}`);
  if (fields.mounts.length > 0) add("mounts", fields.mounts.map(formatMount).join(", "));
  if (fields.ports.length > 0) add("ports", formatPorts(fields.ports));
  for (const key of Object.keys(fields.env).sort()) add(`env.${key}`, SET);
  const constraints = fields.constraints.filter((c) => !node || c !== pinConstraint(node.nodeId));
  if (constraints.length > 0) add("constraints", constraints.join(", "));
  if (!node && fields.maxReplicasPerNode > 0) add("maxReplicasPerNode", String(fields.maxReplicasPerNode));
  for (const kind of ["limits", "reservations"] as const) {
    const amounts = fields.resources?.[kind];
    if (amounts?.nanoCpus) add(`resources.${kind}.cpus`, formatCpus(amounts.nanoCpus));
    if (amounts?.memoryBytes) add(`resources.${kind}.memory`, formatMemory(amounts.memoryBytes));
  }
  for (const key of Object.keys(fields.labels).sort()) {
    if (!isOwnLabel(key)) add(`labels.${key}`, fields.labels[key] ?? "");
  }
  add("updateOrder", fields.updateOrder);
  return out;
}
