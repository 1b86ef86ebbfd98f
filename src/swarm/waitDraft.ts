import type Docker from "dockerode";
import { strandedMessage, whyNodeUnusable } from "../domain/pinnedNode.js";
import { LABEL } from "../domain/names.js";
import { failedHealthCheck, healthPending } from "../domain/taskHealth.js";
import { newestTasksFirst } from "./observe.js";
import type { ObservedNode, ObservedTask } from "./types.js";
import { updateVerdict } from "./waitOutcome.js";
import type { UpdateContext, WaitProblem } from "./waitOutcome.js";

/*
 * What one poll of `waitForTasks` says of one service, from its tasks, its pinned node and
 * Swarm's update status, before any container is inspected for probe output.
 */

export interface TaskError {
  /** Hostname of the node the task was on; absent when it was never placed. */
  node?: string;
  /** Swarm's own error text, e.g. `invalid mount config for type "bind": bind source path does not exist: /srv/x`. */
  text: string;
}

/** A result before its probe outputs are read: errors still name their tasks. */
export interface Draft {
  ok: boolean;
  failed: boolean;
  running: number;
  desired: number;
  /** Errors that are not a task's: a pinned node, a rollback, a missing service. */
  notes: TaskError[];
  /** For each slot that does not run, the task whose error tells why, and its node. */
  taskErrors: { task: ObservedTask; node?: string }[];
  starting: ObservedTask[];
  problem?: WaitProblem;
}

export const NOT_THERE: Draft = {
  ok: false,
  failed: true,
  running: 0,
  desired: 0,
  notes: [],
  taskErrors: [],
  starting: [],
};

/** Swarm's update in progress keeps an app waiting; a rollback or a pause fails it. */
export function withUpdate(
  draft: Draft,
  ctx: UpdateContext,
  tasks: readonly ObservedTask[],
  hostnames: ReadonlyMap<string, string>,
): Draft {
  const newestFailure = newestTasksFirst(tasks).find((task) => FAILED_STATES.has(task.state));
  const verdict = updateVerdict(ctx, newestFailure);
  if (!verdict) return draft;
  if (verdict.verdict === "in-progress") return { ...draft, ok: false, failed: false };
  // The failed task's health check output says why, even once Swarm has replaced that task.
  const alsoFailed =
    newestFailure &&
    failedHealthCheck(newestFailure) &&
    !draft.taskErrors.some((e) => e.task === newestFailure)
      ? [withNode(newestFailure, hostnames)]
      : [];
  return {
    ...draft,
    ok: false,
    failed: true,
    problem: verdict.problem,
    notes: [{ text: verdict.text }, ...draft.notes],
    taskErrors: [...alsoFailed, ...draft.taskErrors],
  };
}

/** Why the node a service is pinned to (by a `node.id==` constraint) cannot run it now. */
export interface PinnedNodeProblem {
  nodeId: string;
  why: string;
}

export function pinnedNodeProblem(
  service: Docker.Service,
  nodes: ObservedNode[],
): PinnedNodeProblem | undefined {
  for (const constraint of service.Spec?.TaskTemplate?.Placement?.Constraints ?? []) {
    const nodeId = /^node\.id\s*==\s*(\S+)$/.exec(constraint.trim())?.[1];
    if (nodeId === undefined) continue;
    const node = nodes.find((n) => n.id === nodeId);
    if (node === undefined) {
      // Removed from the Swarm (`docker node rm`): a node that rejoins gets a new ID, so the app
      // runs again only once it is moved; the pin labels still name the node.
      const labels = service.Spec?.Labels ?? {};
      const hostname = labels[LABEL.pinNode] === nodeId ? labels[LABEL.pinHostname] : undefined;
      return { nodeId, why: strandedMessage({ nodeId, hostname: hostname ?? nodeId }) };
    }
    const why = whyNodeUnusable(node);
    return why === undefined ? undefined : { nodeId, why };
  }
  return undefined;
}

/**
 * A result that is not ok, of an app whose pinned node has been unusable (or gone) for the grace
 * period: failed, with the reason (the tasks' own errors only say that no node fits).
 */
export function withPinnedNode(
  draft: Draft,
  problem: PinnedNodeProblem | undefined,
  givenUp: (problem: PinnedNodeProblem | undefined) => problem is PinnedNodeProblem,
): Draft {
  if (draft.ok || !givenUp(problem)) return draft;
  // No `node`: that field names where a task ran, and these tasks were never placed.
  return { ...draft, failed: true, notes: [{ text: problem.why }], taskErrors: [] };
}

/** Failed or rejected tasks after which an app that still does not run counts as failed. */
export const GIVE_UP_AFTER_FAILURES = 3;

export function desiredOf(service: Docker.Service): number {
  const replicas = service.Spec?.Mode?.Replicated?.Replicas;
  if (replicas !== undefined) return replicas;
  return service.ServiceStatus?.DesiredTasks ?? 0;
}

/** The Engine API's `Healthcheck` (dockerode's types spell it `HealthCheck`); `NONE` disables the image's. */
export function hasHealthcheck(service: Docker.Service): boolean {
  const template = service.Spec?.TaskTemplate as
    { ContainerSpec?: { Healthcheck?: { Test?: string[] } } } | undefined;
  const test = template?.ContainerSpec?.Healthcheck?.Test;
  return test !== undefined && test.length > 0 && test[0] !== "NONE";
}

export function draftFor(
  desired: number,
  tasks: ObservedTask[],
  hostnames: ReadonlyMap<string, string>,
  checked: boolean,
  taskHash: string | undefined,
): Draft {
  const wanted = tasks.filter((task) => task.desiredState === "running");
  const running = wanted.filter(
    (task) => task.state === "running" && (taskHash === undefined || task.specHash === taskHash),
  ).length;
  const ok = running === desired && wanted.length === running;
  const taskErrors = errorsOf(tasks, hostnames);
  const draft: Draft = {
    ok,
    failed: !ok && tasks.filter((task) => FAILED_STATES.has(task.state)).length >= GIVE_UP_AFTER_FAILURES,
    running,
    desired,
    notes: [],
    taskErrors,
    // Every task passes through `starting`; only a health check keeps it there.
    starting: checked ? wanted.filter(healthPending) : [],
  };
  if (!ok && taskErrors.some((e) => failedHealthCheck(e.task))) draft.problem = "unhealthy";
  return draft;
}

/**
 * For each slot (global services: node) whose newest task is not running, the task with the
 * newest error Swarm recorded there: a failed or rejected task, or one still pending, and why.
 * A slot that runs again after a failure reports nothing.
 */
const FAILED_STATES = new Set(["failed", "rejected"]);

function errorsOf(
  tasks: ObservedTask[],
  hostnames: ReadonlyMap<string, string>,
): { task: ObservedTask; node?: string }[] {
  const slots = new Map<string, ObservedTask[]>();
  for (const task of newestTasksFirst(tasks)) {
    const slot = String(task.slot ?? `node:${task.nodeId ?? ""}`);
    const list = slots.get(slot) ?? [];
    list.push(task);
    slots.set(slot, list);
  }
  const errors: { task: ObservedTask; node?: string }[] = [];
  const seen = new Set<string>();
  for (const slotTasks of slots.values()) {
    const newest = slotTasks[0];
    if (!newest || newest.state === "running") continue;
    // A slot being scaled away is not an error, unless its last task failed.
    const retired = newest.desiredState === "shutdown" || newest.desiredState === "remove";
    if (retired && !FAILED_STATES.has(newest.state)) continue;
    const withError = slotTasks.find((task) => task.error);
    if (!withError?.error) continue;
    const entry = withNode(withError, hostnames);
    const key = `${entry.node ?? ""}\u0000${withError.error}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(entry);
  }
  return errors;
}

export function withNode(
  task: ObservedTask,
  hostnames: ReadonlyMap<string, string>,
): { task: ObservedTask; node?: string } {
  return task.nodeId ? { task, node: hostnames.get(task.nodeId) ?? task.nodeId } : { task };
}
