/**
 * A task's health, as Swarm shows it: a task whose image or spec has a health check stays
 * `starting` until its container is healthy, and fails with "dockerexec: unhealthy container"
 * when it is not. Shared by `status` (pure) and `apply --wait` (the Swarm layer).
 */

/** The task fields health is read from (an `ObservedTask` has them). */
export interface TaskHealthFields {
  state: string;
  desiredState: string;
  error?: string;
}

/**
 * What the health check of a task's container last said. Swarm keeps no probe output: it is
 * only in the container's inspect (`State.Health.Log`), on the engine of the node that ran it.
 */
export type ProbeOutput =
  | { kind: "output"; text: string }
  /** The container is on another node's engine, which we do not talk to. */
  | { kind: "remote"; node: string }
  /** The container is gone (Swarm pruned the task's history), or no probe has run yet. */
  | { kind: "none" };

/** Swarm's `Status.Err` for a task whose container its health check declared unhealthy. */
const UNHEALTHY = /unhealthy container/;

/**
 * Swarm stops a container its health check declared unhealthy; a program that then exits 0 (as
 * servers do on SIGTERM) ends its task `complete`, with no error, as if it had finished its work.
 * Its container still says `unhealthy`, so such a task is read as the health failure it was.
 */
export const ENDED_UNHEALTHY =
  "unhealthy container: stopped by its failing health check (it exited 0, so Swarm says complete)";

/** The task as the health failure it was (see `ENDED_UNHEALTHY`). */
export const asHealthFailure = <T extends TaskHealthFields>(task: T): T => ({
  ...task,
  state: "failed",
  error: ENDED_UNHEALTHY,
});

/** A task that failed because its health check did not pass. */
export const failedHealthCheck = (task: TaskHealthFields): boolean =>
  task.state === "failed" && UNHEALTHY.test(task.error ?? "");

/** A task that should run and whose health check has not passed yet (Swarm's `starting`). */
export const healthPending = (task: TaskHealthFields): boolean =>
  task.state === "starting" && task.desiredState === "running";

/** How a status or a wait result tells a probe output. */
export function describeProbe(probe: ProbeOutput | undefined): string {
  if (probe?.kind === "output") return probe.text;
  if (probe?.kind === "remote") {
    return `its probe output is on node ${probe.node}, whose engine we do not talk to (docker inspect the container there)`;
  }
  return "no probe output recorded";
}
