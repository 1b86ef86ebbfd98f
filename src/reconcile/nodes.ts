import type { ObservedNode } from "../swarm/types.js";
import { describeNode, whyNodeUnusable } from "../domain/pinnedNode.js";

export { describeNode, whyNodeUnusable };

/** A node that may receive a new pin: up and accepting tasks. */
export const isEligible = (n: ObservedNode): boolean => n.state === "ready" && n.availability === "active";

/** A node that can run its pinned app right now. */
export const isUsable = isEligible;

export type NodeLookup =
  | { found: true; node: ObservedNode }
  | { found: false; why: "unknown" | "ambiguous"; candidates: ObservedNode[] };

/** Finds a node by ID, else by hostname (hostnames are not unique in a Swarm; IDs are). */
export function findNode(ref: string, nodes: ObservedNode[]): NodeLookup {
  const byId = nodes.find((n) => n.id === ref);
  if (byId) return { found: true, node: byId };
  const byName = nodes.filter((n) => n.hostname === ref);
  if (byName.length === 1) return { found: true, node: byName[0]! };
  if (byName.length > 1) return { found: false, why: "ambiguous", candidates: byName };
  return { found: false, why: "unknown", candidates: nodes };
}

/** `ready/active`, or `down/drain`. */
export const nodeCondition = (n: ObservedNode): string => `${n.state}/${n.availability}`;
