import { annotationOn } from "../manifest/annotations.js";
import { ANNOTATION } from "../manifest/annotations.js";
import type { AppSpec } from "../manifest/types.js";
import { LABEL } from "../domain/names.js";
import { describeNode } from "../domain/pinnedNode.js";
import type { ObservedNode, PinRecord } from "../swarm/types.js";
import type { AppPlanRule, Rejection, StageRule } from "./rule.js";

/*
 * CONTRACT §2.3: a persistent app is pinned to one node and never moved by the controller itself.
 * The rules that refuse a pin or a move; the choice of the node is the planner's (reconcile/pins.ts).
 */

/** A node that may receive a new pin: up and accepting tasks. */
export const isEligible = (n: ObservedNode): boolean => n.state === "ready" && n.availability === "active";

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

export const byHostnameThenId = (a: ObservedNode, b: ObservedNode): number =>
  compare(a.hostname, b.hostname) || compare(a.id, b.id);

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Nodes as messages list them: in hostname order, or "none". */
function listNodes(nodes: readonly ObservedNode[], show: (n: ObservedNode) => string): string {
  return [...nodes].sort(byHostnameThenId).map(show).join(", ") || "none";
}

/** Whether `spec.node` names the pinned node (by ID, by the recorded hostname, or by its current hostname). */
export function pointsAt(ref: string, pin: PinRecord, nodes: ObservedNode[]): boolean {
  if (ref === pin.nodeId || ref === pin.hostname) return true;
  return nodes.some((n) => n.id === pin.nodeId && n.hostname === ref);
}

/** A persistent app turned non-persistent would lose its pin, and could start without its data. */
export const PERSISTENCE_DROP_REFUSED = {
  id: "persistence-drop-refused",
  title: "A persistent app becomes non-persistent only when the user allows it",
  contract: "§2.3",
  input: "app+service",
  reject: (app, service) => {
    if (
      !service ||
      service.fields.labels[LABEL.persistent] !== "true" ||
      app.persistent ||
      annotationOn(app.annotations, ANNOTATION.allowDropPersistence)
    )
      return undefined;
    return {
      app: app.name,
      rule: "persistence-drop-refused",
      message:
        `${app.name} runs as a persistent app, but its manifest now says persistent: false; a non-persistent app ` +
        `is not pinned and may start on another node without its data. To do it anyway, add the annotation ` +
        `${ANNOTATION.allowDropPersistence}: "true" (the volumes and the pin record are kept)`,
      position: app.positions["spec.persistent"] ?? app.source,
    };
  },
} as const satisfies AppPlanRule;

/** The controller never moves a pinned app by itself: a move needs spec.node and the allow-move annotation. */
export const PIN_MOVE_REFUSED = {
  id: "pin-move-refused",
  title: "A pinned app moves to another node only when the user asks for it explicitly",
  contract: "§2.3",
  input: "app+nodes",
  check: (app: AppSpec, pin: PinRecord, nodes: ObservedNode[]): Rejection | undefined => {
    if (app.node === undefined || pointsAt(app.node, pin, nodes)) return undefined;
    if (annotationOn(app.annotations, ANNOTATION.allowMove)) return undefined;
    return {
      app: app.name,
      rule: "pin-move-refused",
      message:
        `${app.name} is pinned to ${describeNode(pin)}, but spec.node asks for ${app.node}; moving it ` +
        `loses its data unless you migrate the data by hand. To move it deliberately, add the annotation ` +
        `${ANNOTATION.allowMove}: "true"`,
      position: app.positions["spec.node"] ?? app.source,
    };
  },
} as const satisfies StageRule;

/** `spec.node` must name exactly one node of the Swarm. */
export const UNKNOWN_NODE = {
  id: "unknown-node",
  title: "spec.node names one node of the Swarm (by hostname or ID)",
  contract: "§2.3",
  input: "app+nodes",
  check: (app: AppSpec, nodes: ObservedNode[]): Rejection | undefined => {
    if (app.node === undefined) return undefined;
    const lookup = findNode(app.node, nodes);
    if (lookup.found) return undefined;
    const list = listNodes(lookup.candidates, describeNode);
    return {
      app: app.name,
      rule: "unknown-node",
      message:
        lookup.why === "ambiguous"
          ? `spec.node: several nodes are called ${app.node} (${list}); use the node ID instead`
          : `spec.node: no node ${app.node} in the Swarm; the nodes are: ${list}`,
      position: app.positions["spec.node"] ?? app.source,
    };
  },
} as const satisfies StageRule;

/** A persistent app is pinned only to a node that is ready and active. */
export const NO_ELIGIBLE_NODE = {
  id: "no-eligible-node",
  title: "A new pin goes only to a ready, active node",
  contract: "§2.3",
  input: "app+nodes",
  check: (app: AppSpec, nodes: ObservedNode[]): Rejection | undefined => {
    if (nodes.some(isEligible)) return undefined;
    const listed = listNodes(nodes, (n) => `${n.hostname} ${n.state}/${n.availability}`);
    return {
      app: app.name,
      rule: "no-eligible-node",
      message:
        `no node can take ${app.name}: a persistent app is pinned only to a node that is ready and active ` +
        `(nodes: ${listed}); bring a node up, or set spec.node`,
      position: app.source,
    };
  },
} as const satisfies StageRule;
