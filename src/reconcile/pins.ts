import type { AppSpec } from "../manifest/types.js";
import type { ObservedNode, ObservedService, ObservedState, PinRecord } from "../swarm/types.js";
import { LABEL } from "../domain/names.js";
import type { PinTarget } from "./desiredFields.js";
import type { Action, NodeChoice, PlanWarning, Rejection } from "./types.js";
import {
  byHostnameThenId,
  findNode,
  isEligible,
  NO_ELIGIBLE_NODE,
  PIN_MOVE_REFUSED,
  pointsAt,
  UNKNOWN_NODE,
} from "../rules/pinning.js";
import { describeNode, strandedMessage } from "../domain/pinnedNode.js";

export { strandedMessage };

/** What the planner does about a persistent app's node. */
export type PinDecision =
  /** An existing pin record: keep it, no pin action. */
  | { kind: "keep"; pin: PinTarget; why: NodeChoice }
  /** A first pin (`pin requested`) or an allowed move (`explicit move`): a pin action precedes the service action. */
  | {
      kind: "new";
      pin: PinTarget;
      why: NodeChoice;
      action: Extract<Action, { kind: "pin" }>;
      warning?: PlanWarning;
    }
  | { kind: "reject"; rejection: Rejection }
  /** The pinned node left the Swarm: no action at all, a warning says what the user can do. */
  | { kind: "stranded"; warning: PlanWarning };

/** Pin records by app (the first, should there be two), built once per plan or status. */
export function pinsByApp(pins: readonly PinRecord[]): Map<string, PinRecord> {
  const byApp = new Map<string, PinRecord>();
  for (const pin of pins) if (!byApp.has(pin.app)) byApp.set(pin.app, pin);
  return byApp;
}

/** How many pins each node holds, counting the pins of removed apps too (their data is still there). */
export function countPins(pins: PinRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pins) counts.set(p.nodeId, (counts.get(p.nodeId) ?? 0) + 1);
  return counts;
}

/**
 * Decides the node of a persistent app. Pins are never changed silently: an existing pin is kept
 * until the user asks for a move with both `spec.node` and the allow-move annotation. A new pin
 * goes to `spec.node`, else to the ready, active node with the fewest pins (ties by hostname,
 * then ID), so the choice is deterministic; `counts` is updated so later apps in the same plan
 * see this pin. `pins` is `pinsByApp(observed.pins)`.
 */
export function decidePin(
  app: AppSpec,
  observed: ObservedState,
  counts: Map<string, number>,
  pins: ReadonlyMap<string, PinRecord>,
  service?: ObservedService,
): PinDecision {
  const record = pins.get(app.name);
  // A service we pinned whose pin record was deleted by hand: its data is on the node its labels
  // name, so that pin is restored rather than a new node chosen.
  const existing = record ?? (service ? pinFromLabels(app.name, service) : undefined);
  if (existing) {
    if (app.node === undefined || pointsAt(app.node, existing, observed.nodes)) {
      if (!observed.nodes.some((n) => n.id === existing.nodeId)) {
        return { kind: "stranded", warning: { app: app.name, message: strandedMessage(existing) } };
      }
      const pin = { nodeId: existing.nodeId, hostname: existing.hostname };
      if (record) return { kind: "keep", pin, why: "existing pin" };
      return {
        kind: "new",
        pin,
        why: "existing pin",
        action: { kind: "pin", app: app.name, ...pin, reason: "pin restored" },
      };
    }
    const refused = PIN_MOVE_REFUSED.check(app, existing, observed.nodes);
    if (refused) return reject(refused);
    const unknown = UNKNOWN_NODE.check(app, observed.nodes);
    if (unknown) return reject(unknown);
    const target = findNode(app.node, observed.nodes);
    if (!target.found) throw new Error(`node ${app.node} was found by the pinning rules, not by the planner`);
    bump(counts, target.node.id);
    return {
      kind: "new",
      pin: { nodeId: target.node.id, hostname: target.node.hostname },
      why: "spec.node",
      action: {
        kind: "pin",
        app: app.name,
        nodeId: target.node.id,
        hostname: target.node.hostname,
        ...(record ? { replaces: record.configId } : {}),
        reason: "explicit move",
      },
      warning: {
        app: app.name,
        message:
          `moving ${app.name} from ${describeNode(existing)} to ${describeNode(target.node)}: its data does not ` +
          `move; volumes and host directories stay on ${existing.hostname} unless migrated by hand`,
      },
    };
  }

  let node: ObservedNode | undefined;
  let why: NodeChoice;
  if (app.node !== undefined) {
    const unknown = UNKNOWN_NODE.check(app, observed.nodes);
    if (unknown) return reject(unknown);
    const target = findNode(app.node, observed.nodes);
    node = target.found ? target.node : undefined;
    why = "spec.node";
  } else {
    const none = NO_ELIGIBLE_NODE.check(app, observed.nodes);
    if (none) return reject(none);
    node = chooseNode(observed.nodes, counts);
    why = "fewest pinned apps";
  }
  if (!node) throw new Error(`no node for ${app.name} although the pinning rules found one`);
  bump(counts, node.id);
  return {
    kind: "new",
    pin: { nodeId: node.id, hostname: node.hostname },
    why,
    action: { kind: "pin", app: app.name, nodeId: node.id, hostname: node.hostname, reason: "pin requested" },
  };
}

const reject = (rejection: Rejection): PinDecision => ({ kind: "reject", rejection });

function pinFromLabels(app: string, service: ObservedService): PinRecord | undefined {
  const nodeId = service.fields.labels[LABEL.pinNode];
  if (nodeId === undefined || nodeId === "") return undefined;
  return { app, nodeId, hostname: service.fields.labels[LABEL.pinHostname] ?? nodeId, configId: "" };
}

/** Ready and active nodes only; fewest pins first, then hostname, then ID. */
export function chooseNode(nodes: ObservedNode[], counts: Map<string, number>): ObservedNode | undefined {
  const order = (a: ObservedNode, b: ObservedNode): number =>
    (counts.get(a.id) ?? 0) - (counts.get(b.id) ?? 0) || byHostnameThenId(a, b);
  return nodes.filter(isEligible).sort(order)[0];
}

function bump(counts: Map<string, number>, nodeId: string): void {
  counts.set(nodeId, (counts.get(nodeId) ?? 0) + 1);
}

/**
 * Takes back the count `decidePin` added for a new pin whose app was then rejected: the pin is
 * never made, so the apps after it choose as if it were not there.
 */
export function withdrawPin(counts: Map<string, number>, decision: PinDecision): void {
  if (decision.kind !== "new" || decision.action.reason === "pin restored") return;
  const nodeId = decision.pin.nodeId;
  counts.set(nodeId, (counts.get(nodeId) ?? 1) - 1);
}
