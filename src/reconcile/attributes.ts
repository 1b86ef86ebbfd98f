import { formatCpus, formatMemory } from "../manifest/resources.js";
import type { DefaultedField, ServiceFields, UpdatePolicyFields } from "../swarm/types.js";
import { isOwnLabel } from "../domain/names.js";
import { pinConstraint } from "./desiredFields.js";
import { formatList, formatMount, formatPorts, formatReplicas } from "./diff.js";
import { formatDuration } from "../manifest/durations.js";
import { DEFAULT_MARK, formatPreferences, formatTest } from "./policyDiff.js";
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
 * set; the update order later updates use, and issue 17's policies (`policyAttributes`). Env values read `(set)`, never the value;
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
  out.push(...policyAttributes(fields));
  return out;
}

/**
 * Issue 17's fields, one line each: the health check, restart policy and placement preferences
 * where set; the update and rollback policy and the stop grace period always, AlaCrity's
 * defaults marked as such.
 */
function policyAttributes(fields: ServiceFields): Attribute[] {
  const out: Attribute[] = [];
  const defaulted = new Set(fields.defaulted ?? []);
  const mark = (field: DefaultedField, value: string): string =>
    defaulted.has(field) ? `${value}${DEFAULT_MARK}` : value;
  const h = fields.healthcheck;
  if (h) {
    const parts = [formatTest(h)];
    if (h.interval) parts.push(`interval ${formatDuration(h.interval)}`);
    if (h.timeout) parts.push(`timeout ${formatDuration(h.timeout)}`);
    if (h.retries) parts.push(`retries ${h.retries}`);
    if (h.startPeriod) parts.push(`startPeriod ${formatDuration(h.startPeriod)}`);
    out.push({ field: "healthcheck", value: parts.join(", ") });
  }
  const r = fields.restartPolicy;
  if (r) {
    const parts = [`condition ${r.condition}`];
    if (r.delay !== undefined) parts.push(`delay ${formatDuration(r.delay)}`);
    if (r.maxAttempts) parts.push(`maxAttempts ${r.maxAttempts}`);
    if (r.window) parts.push(`window ${formatDuration(r.window)}`);
    out.push({ field: "restartPolicy", value: parts.join(", ") });
  }
  if (fields.placementPreferences?.length)
    out.push({ field: "placementPreferences", value: formatPreferences(fields.placementPreferences) });
  if (fields.updateConfig)
    out.push({ field: "updateConfig", value: mark("updateConfig", formatPolicy(fields.updateConfig)) });
  if (fields.rollbackConfig) {
    const value = `${formatPolicy(fields.rollbackConfig)}, order ${fields.rollbackConfig.order}`;
    out.push({ field: "rollbackConfig", value: mark("rollbackConfig", value) });
  }
  if (fields.stopGracePeriod !== undefined)
    out.push({
      field: "stopGracePeriod",
      value: mark("stopGracePeriod", formatDuration(fields.stopGracePeriod)),
    });
  return out;
}

function formatPolicy(p: UpdatePolicyFields): string {
  return [
    `parallelism ${p.parallelism}`,
    `delay ${formatDuration(p.delay)}`,
    `failureAction ${p.failureAction}`,
    `monitor ${formatDuration(p.monitor)}`,
    `maxFailureRatio ${p.maxFailureRatio}`,
  ].join(", ");
}
