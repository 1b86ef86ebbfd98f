/**
 * What AlaCrity says about the node a persistent app is pinned to: the planner warns with it and
 * the Swarm layer explains a waiting task with it, so both say the same sentence.
 */
import { ANNOTATION } from "./names.js";

/** A Swarm node's condition as Docker reports it. */
export interface NodeCondition {
  hostname: string;
  /** ready | down | unknown | disconnected */
  state: string;
  /** active | pause | drain */
  availability: string;
}

/** `worker-2 (abc123)`, the way nodes are named in messages. */
export const describeNode = (n: { hostname: string; id?: string; nodeId?: string }): string =>
  `${n.hostname} (${n.id ?? n.nodeId ?? "?"})`;

const AVAILABILITY_WORD: Record<string, string> = { drain: "drained", pause: "paused" };

/** Why a pinned app cannot run on its node now, in plain words; undefined when it can. */
export function whyNodeUnusable(n: NodeCondition): string | undefined {
  if (n.state !== "ready")
    return `pinned node ${n.hostname} is ${n.state}: a persistent app waits for its node`;
  if (n.availability !== "active")
    return `pinned node ${n.hostname} is ${AVAILABILITY_WORD[n.availability] ?? n.availability}: a persistent app waits for its node`;
  return undefined;
}

/** The message for an app pinned to a node that was removed from the Swarm. */
export function strandedMessage(pin: { hostname: string; nodeId: string }): string {
  return (
    `pinned node ${describeNode(pin)} is no longer in the Swarm; to move the app: set spec.node to a new node ` +
    `and annotation ${ANNOTATION.allowMove}: "true" (its data stays on the old node)`
  );
}
