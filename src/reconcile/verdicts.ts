import type { ObservedService, ObservedTask } from "../swarm/types.js";
import type { ProbeOutput } from "../domain/taskHealth.js";
import { describeProbe, failedHealthCheck } from "../domain/taskHealth.js";
import { newestTasksFirst } from "../domain/taskOrder.js";
import { updateOutcome } from "../domain/updateOutcome.js";
import type { Action, HeldApp } from "./types.js";

/*
 * What a service's tasks and its last update say of an app: the verdicts (a state and its reason)
 * that `status` builds its rows from when something is wrong.
 */

export type AppState =
  | "running"
  | "converging"
  | "waiting"
  | "failed"
  | "rejected"
  | "invalid"
  | "removing"
  | "held-back"
  | "stopped"
  /** Its health check has not passed yet. */
  | "starting"
  /** Its tasks fail their health check. */
  | "unhealthy"
  /** Swarm rolled back the update to the manifest's spec; the service runs the one before. */
  | "rolled-back"
  /** Swarm paused the update half-way (`failureAction: pause`). */
  | "update-paused"
  /** Stopped by `alacrity backup`, `restore` or `move`, which starts it again. */
  | "maintenance";

export type AppHealth = "healthy" | "starting" | "unhealthy";

export interface Verdict {
  state: AppState;
  reason: string;
  health?: AppHealth;
  failedSpec?: string;
  held?: boolean;
}

/** What the verdicts look up beside the app's own service and tasks. */
export interface ProblemLookups {
  heldByApp: ReadonlyMap<string, HeldApp>;
  /** Whether a plan was given: without one, every rollback on record is shown. */
  planned: boolean;
  probes: ReadonlyMap<string, ProbeOutput>;
}

/** A check of its own in the service's spec (`NONE` disables the image's). The image's own check is not known here. */
export function hasHealthcheck(service: ObservedService): boolean {
  const test = service.fields.healthcheck?.test;
  return test !== undefined && test.length > 0 && test[0] !== "NONE";
}

const newestFailure = (tasks: readonly ObservedTask[]): ObservedTask | undefined =>
  newestTasksFirst(tasks).find((t) => t.state === "failed" || t.state === "rejected");

/** What a failed task says: its health check's last output when that is why it failed. */
function failureText(task: ObservedTask, probes: ReadonlyMap<string, ProbeOutput>): string {
  if (!failedHealthCheck(task)) return task.error ?? task.message;
  const probe = probes.get(task.id);
  // Without probes (the daemon's status reads no container), Swarm's text is all there is.
  return probe ? `unhealthy: ${describeProbe(probe)}` : `unhealthy (Swarm: ${task.error ?? task.message})`;
}

/** Tasks that do not run because the newest of them failed its health check. */
export function healthProblem(
  tasks: readonly ObservedTask[],
  probes: ReadonlyMap<string, ProbeOutput>,
): Verdict | undefined {
  const failure = newestFailure(tasks);
  if (!failure || !failedHealthCheck(failure)) return undefined;
  return { state: "unhealthy", health: "unhealthy", reason: failureText(failure, probes) };
}

/**
 * Swarm's rollback or pause of the app's last update. With a plan, a rollback counts only while
 * the manifest's spec is not the one that runs (the app is held, or still to be updated): a
 * manifest changed back to the running spec makes it history.
 */
export function updateProblem(
  name: string,
  service: ObservedService,
  tasks: readonly ObservedTask[],
  lookups: ProblemLookups,
  pending: Action | undefined,
): Verdict | undefined {
  const outcome = updateOutcome(service.updateStatus);
  if (outcome.kind !== "rolled-back" && outcome.kind !== "paused") return undefined;
  const held = lookups.heldByApp.get(name);
  const stillWanted = held !== undefined || pending?.kind === "update" || pending?.kind === "hold";
  if (outcome.kind === "rolled-back" && lookups.planned && !stillWanted) return undefined;
  const failure = newestFailure(tasks);
  const reason = held?.swarmReason ?? outcome.reason ?? (failure ? undefined : "Swarm gave no reason");
  const detail = failure ? failureText(failure, lookups.probes) : undefined;
  const why = [reason, detail && reason ? `(${detail})` : detail].filter(Boolean).join(" ");
  if (outcome.kind === "paused") return { state: "update-paused", reason: `update paused: ${why}` };
  const failedSpec = held?.hash ?? failure?.specHash;
  const verdict: Verdict = {
    state: "rolled-back",
    reason:
      `rolled back: ${why}` +
      (failedSpec !== undefined ? `; spec ${failedSpec.slice(0, 12)} failed` : "") +
      (held
        ? `; the manifest's spec is held: change the manifest or retry with \`alacrity apply --retry ${name}\``
        : ""),
  };
  if (failedSpec !== undefined) verdict.failedSpec = failedSpec;
  if (held) verdict.held = true;
  return verdict;
}

/** The newest task that is not running, told in plain words when Swarm's text is known to be cryptic. */
export function latestProblem(tasks: ObservedTask[]): Verdict | undefined {
  const latest = newestTasksFirst(tasks.filter((t) => t.state !== "running"))[0];
  if (!latest) return undefined;
  const text = latest.error ?? latest.message;
  if (latest.state === "failed" || latest.state === "rejected") {
    const missing = /bind source path does not exist:\s*(\S+)/.exec(text);
    const reason = missing
      ? `host directory ${missing[1]} does not exist on the node; create it there (Swarm: ${text})`
      : `task ${latest.state}: ${text}`;
    return { state: "failed", reason };
  }
  if (latest.state === "pending" && /no suitable node/.test(text)) {
    return { state: "waiting", reason: `no node can run it now (Swarm: ${text})` };
  }
  return undefined;
}
