import type { Logger } from "pino";
import { heldMessage } from "../reconcile/holds.js";
import type { Action } from "../reconcile/types.js";
import type { ControllerMetrics } from "./metrics.js";

/**
 * Tells of a rollback once: when its hold record is written. The planner plans a `hold` only
 * while no record has that spec's hash, so the line and the count come once per failed spec, and
 * the held app then gets no action at all (nothing re-enqueues it).
 */
export function reportRollback(
  log: Logger,
  metrics: ControllerMetrics,
  action: Extract<Action, { kind: "hold" }>,
): void {
  metrics.rollbacks.inc({ app: action.app });
  log.warn(
    { app: action.app, hash: action.hash, swarmReason: action.swarmReason },
    `${action.app}: Swarm rolled back the update to the manifest's spec; ${heldMessage(action.app, action.swarmReason)}`,
  );
}
