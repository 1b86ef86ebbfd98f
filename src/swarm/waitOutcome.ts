import { updateOutcome } from "../domain/updateOutcome.js";
import { LABEL } from "../domain/names.js";
import { describeProbe, failedHealthCheck } from "../domain/taskHealth.js";
import type { ProbeOutput } from "../domain/taskHealth.js";
import type { ObservedTask, ObservedUpdateStatus } from "./types.js";

/** What an app's wait result says beyond its tasks, when it is not simply running. */
export type WaitProblem = "unhealthy" | "rolled back" | "update paused";

/** What the wait knows of a service's update, across polls. */
export interface UpdateContext {
  status: ObservedUpdateStatus | undefined;
  /** The service's current `alacrity.hash`. */
  specHash: string | undefined;
  /** The manifest's hash, when the caller knows it. */
  expectedHash: string | undefined;
  /** Swarm's reason seen earlier in this wait (it says it while rolling back, not after). */
  rememberedReason: string | undefined;
}

/**
 * How Swarm's update changes a result built from the tasks alone: while Swarm is updating or
 * rolling back, the app is not ok yet (its old tasks may still run); a finished rollback or a
 * paused update fails it with Swarm's reason. A rollback is history once the service runs the
 * manifest's spec again (the manifest was changed back): then it does not count.
 */
export function updateVerdict(
  ctx: UpdateContext,
  newestFailure: ObservedTask | undefined,
): { verdict: "in-progress" } | { verdict: "failed"; problem: WaitProblem; text: string } | undefined {
  const outcome = updateOutcome(ctx.status);
  const reason = (): string =>
    ("reason" in outcome ? outcome.reason : undefined) ??
    ctx.rememberedReason ??
    newestFailure?.error ??
    "Swarm gave no reason";
  switch (outcome.kind) {
    case "in-progress":
      return { verdict: "in-progress" };
    case "rolled-back":
      if (ctx.expectedHash !== undefined && ctx.expectedHash === ctx.specHash) return undefined;
      return { verdict: "failed", problem: "rolled back", text: `rolled back: ${reason()}` };
    case "paused":
      return { verdict: "failed", problem: "update paused", text: `update paused: ${reason()}` };
    case "done":
      return undefined;
  }
}

/** The service's spec hash, from its raw spec's labels. */
export const specHashOf = (labels: Record<string, string> | undefined): string | undefined =>
  labels?.[LABEL.hash];

/** `unhealthy: <probe output>` for a task its health check failed; Swarm's own text for others. */
export function taskErrorText(task: ObservedTask, probes: ReadonlyMap<string, ProbeOutput>): string {
  if (failedHealthCheck(task)) return `unhealthy: ${describeProbe(probes.get(task.id))}`;
  return task.error ?? task.message;
}

/** For an app still starting at the deadline: its health check has not passed, and what it last said. */
export function startingText(task: ObservedTask, probes: ReadonlyMap<string, ProbeOutput>): string {
  const probe = probes.get(task.id);
  const last = probe && probe.kind !== "none" ? `; last probe: ${describeProbe(probe)}` : "";
  return `starting: the health check has not passed yet${last}`;
}
