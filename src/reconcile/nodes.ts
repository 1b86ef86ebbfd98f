import type { ObservedNode } from "../swarm/types.js";
import { isEligible } from "../rules/pinning.js";

export { describeNode, whyNodeUnusable } from "../domain/pinnedNode.js";
// The node vocabulary of the pinning rules, defined with them.
export { findNode, isEligible, type NodeLookup } from "../rules/pinning.js";

/** A node that can run its pinned app right now. */
export const isUsable = isEligible;

/** `ready/active`, or `down/drain`. */
export const nodeCondition = (n: ObservedNode): string => `${n.state}/${n.availability}`;
