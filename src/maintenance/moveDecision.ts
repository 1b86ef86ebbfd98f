import { findNode, isEligible, nodeCondition } from "../reconcile/nodes.js";
import type { ObservedNode, ObservedState } from "../swarm/types.js";
import type { NodeRef } from "./copyJobs.js";
import { findTarget, MaintenanceRefusal, tasksElsewhere } from "./target.js";
import type { MaintenanceTarget } from "./target.js";

/** What `alacrity move` does next, decided from the Swarm's state alone. */
export type MoveDecision =
  /**
   * Copy the data from the app's node to `to`, then switch the pin. `resuming`: a killed move to
   * the same node left its record (and maybe part of a copy there, which the copy replaces);
   * otherwise the new node must first be checked for data of its own.
   */
  | { kind: "copy"; source: MaintenanceTarget; to: NodeRef; resuming: boolean }
  /** A killed move had switched the pin already: its verified copy is on `to`; start it there. */
  | { kind: "finish"; target: MaintenanceTarget; to: NodeRef };

/**
 * Decides the move of `app` to the node `to` names (ID or hostname), or refuses before anything
 * is stopped: the app must be persistent, its node and the new one ready and active, the new one
 * another node, and no task of the app may run away from its pin.
 */
export function decideMove(observed: ObservedState, app: string, to: string): MoveDecision {
  const destination = destinationNode(observed.nodes, to);
  const target = findTarget(observed, app);
  const record = observed.maintenance?.find((r) => r.app === app);
  const ref = { nodeId: destination.id, hostname: destination.hostname };
  if (record?.operation === "move" && record.to !== undefined && record.to !== destination.id) {
    const other = observed.nodes.find((n) => n.id === record.to);
    throw new MaintenanceRefusal(
      `${app} is stopped by an unfinished move to ${other?.hostname ?? record.to}: run \`alacrity move ${app} --to ${other?.hostname ?? record.to}\` to finish it first`,
    );
  }
  const resuming = record?.operation === "move" && record.to === destination.id;
  if (target.nodeId === destination.id) {
    if (resuming) return { kind: "finish", target, to: ref };
    throw new MaintenanceRefusal(`${app} is already pinned to ${destination.hostname}: nothing to move`);
  }
  if (!isEligible(destination)) {
    throw new MaintenanceRefusal(
      `cannot move ${app} to ${destination.hostname}: it is ${nodeCondition(destination)}, and a move needs a node that is ready and active`,
    );
  }
  const elsewhere = tasksElsewhere(observed, target);
  if (elsewhere.length > 0) {
    throw new MaintenanceRefusal(
      `${app} has a task on node ${elsewhere[0]}, not on its pinned node ${target.hostname}: fix its placement first (alacrity status)`,
    );
  }
  return { kind: "copy", source: target, to: ref, resuming };
}

function destinationNode(nodes: ObservedNode[], to: string): ObservedNode {
  const found = findNode(to, nodes);
  if (found.found) return found.node;
  const known = found.candidates.map((n) => `${n.hostname} (${n.id})`).join(", ") || "none";
  throw new MaintenanceRefusal(
    found.why === "ambiguous"
      ? `--to ${to}: several nodes have that hostname (${known}); name the node by its ID`
      : `--to ${to}: no node of this Swarm has that hostname or ID; its nodes: ${known}`,
  );
}
