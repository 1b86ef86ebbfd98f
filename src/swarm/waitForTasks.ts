import type Docker from "dockerode";
import { toDockerError } from "./errors.js";
import { strandedMessage, whyNodeUnusable } from "../domain/pinnedNode.js";
import { newestTasksFirst, nodeFromRaw, taskFromRaw } from "./observe.js";
import type { RawNode, RawTask } from "./observe.js";
import { sleep, systemClock, type Clock } from "../domain/clock.js";
import { LABEL } from "../domain/names.js";
import type { ObservedNode, ObservedTask } from "./types.js";
import { swarmReason } from "../domain/updateOutcome.js";
import { failedHealthCheck, healthPending } from "../domain/taskHealth.js";
import type { ProbeOutput } from "../domain/taskHealth.js";
import { lastProbeOutputs } from "./probeOutput.js";
import { withEndedHealth } from "./endedHealth.js";
import type { EndedHealth } from "./endedHealth.js";
import { updateStatusFromRaw } from "./updateStatus.js";
import { specHashOf, startingText, taskErrorText, updateVerdict } from "./waitOutcome.js";
import type { UpdateContext, WaitProblem } from "./waitOutcome.js";

export interface TaskError {
  /** Hostname of the node the task was on; absent when it was never placed. */
  node?: string;
  /** Swarm's own error text, e.g. `invalid mount config for type "bind": bind source path does not exist: /srv/x`. */
  text: string;
}

export interface WaitResult {
  /** Every desired task is running, none is still on its way, and Swarm is not updating the service. */
  ok: boolean;
  /**
   * Swarm keeps retrying a task that cannot start (a missing bind path, a missing image) for
   * ever; after `GIVE_UP_AFTER_FAILURES` failed or rejected tasks the app counts as failed and is
   * no longer waited for, so `apply --wait` reports it without sitting out the whole timeout.
   * So does an app pinned to a node that has been down, drained or paused, or is no longer in
   * the Swarm, for `PINNED_NODE_GRACE_MS`: it runs again only when someone brings the node back
   * (or moves the app). And so does one whose update Swarm rolled back or paused.
   */
  failed: boolean;
  running: number;
  desired: number;
  errors: TaskError[];
  /**
   * Tasks meant to run whose health check has not passed yet (Swarm's `starting`), for services
   * with a check in their spec (an image's own check is known only to the engine); absent: none.
   */
  starting?: number;
  /** Absent when the tasks' own errors say it all. */
  problem?: WaitProblem;
}

export interface WaitOptions {
  /** Injected for tests; defaults to the system clock. */
  clock?: Clock;
  /**
   * The manifest's spec hash (`alacrity.hash`) per app. A rollback Swarm finished counts as a
   * failure only while the service runs another spec: one the manifest has since been changed
   * back to is history. Without it, every rollback on record counts.
   */
  expectedHashes?: ReadonlyMap<string, string>;
  /**
   * Per app just created or updated in a way that replaces its tasks: the spec hash its new tasks
   * carry (`LABEL.taskHash`). Only such tasks count as running: right after the update call,
   * before Swarm's updater has begun, the old tasks still run and the update status says nothing.
   */
  taskHashes?: ReadonlyMap<string, string>;
  /** Called with every poll's results but the last (which is returned): progress, and tests. */
  onPoll?: (results: Readonly<Record<string, WaitResult>>) => void;
}

/** How often `apply --wait` polls: 4 polls of 3 small requests a second against the local engine. */
export const WAIT_POLL_MS = 250;

/** How long a pinned app's node may be unusable before the wait gives up on that app. */
export const PINNED_NODE_GRACE_MS = 5_000;

/**
 * Polls Swarm until every named service runs its desired number of tasks, healthy where it has
 * a health check, with no update of Swarm's in progress, or until `timeoutMs` passes.
 * Requests: three lists per poll (the services by name, for their `UpdateStatus`; their tasks;
 * the nodes), the first poll's service list made before the other two. Once, at the end, and
 * only for apps that are not ok and have a task that is starting or failed its health check:
 * one `info` and one container inspect per such task, for the last probe output
 * (`lastProbeOutputs`). A task of a checked service that ends `complete` is inspected once, the
 * first poll that sees it, to learn whether its health check stopped it (`withEndedHealth`).
 * The result carries, for services that are not converged, the error text
 * Swarm gave their failing tasks, why the node a persistent app is pinned to cannot run it, or
 * why Swarm rolled back or paused the update.
 */
export async function waitForTasks(
  docker: Docker,
  names: readonly string[],
  timeoutMs: number,
  pollMs = WAIT_POLL_MS,
  options: WaitOptions = {},
): Promise<Record<string, WaitResult>> {
  const clock = options.clock ?? systemClock;
  if (names.length === 0) return {};
  const deadline = clock.now() + timeoutMs;

  let services = await listServices(docker, names);
  // A service missing at the start will not appear by waiting: only the others are waited for.
  const present = new Set(services.map((service) => service.Spec?.Name ?? ""));
  const serviceIds = services.map((service) => service.ID);
  /** When each unusable node was first seen so in this wait. */
  const unusableSince = new Map<string, number>();
  /** Swarm's reason for a rollback, by service ID: it says it while rolling back, not after. */
  const reasons = new Map<string, string>();
  const endedHealth: EndedHealth = new Map();

  for (let attempt = 0; ; attempt++) {
    let tasks: ObservedTask[] = [];
    let nodes: ObservedNode[];
    try {
      const [listed, rawTasks, rawNodes] = await Promise.all([
        attempt === 0 ? Promise.resolve(services) : listServices(docker, names),
        serviceIds.length > 0
          ? (docker.listTasks({ filters: { service: serviceIds } }) as Promise<RawTask[]>)
          : Promise.resolve([]),
        docker.listNodes() as Promise<RawNode[]>,
      ]);
      services = listed;
      tasks = rawTasks.map(taskFromRaw);
      nodes = rawNodes.map(nodeFromRaw);
    } catch (err) {
      throw toDockerError(err, "cannot wait for tasks");
    }
    const checked = new Set(services.filter(hasHealthcheck).map((service) => service.ID));
    tasks = await withEndedHealth(docker, tasks, checked, endedHealth);
    const byName = new Map(services.map((service) => [service.Spec?.Name ?? "", service]));
    const hostnames = new Map(nodes.map((node) => [node.id, node.hostname || node.id]));
    const polledAt = clock.now();
    const blocked = new Map<string, PinnedNodeProblem>();
    for (const service of services) {
      const problem = pinnedNodeProblem(service, nodes);
      if (problem) blocked.set(service.ID, problem);
      const reason = swarmReason(service.UpdateStatus?.Message);
      if (reason !== undefined) reasons.set(service.ID, reason);
    }
    const blockedNodes = new Set([...blocked.values()].map((problem) => problem.nodeId));
    for (const nodeId of unusableSince.keys()) if (!blockedNodes.has(nodeId)) unusableSince.delete(nodeId);
    for (const nodeId of blockedNodes) if (!unusableSince.has(nodeId)) unusableSince.set(nodeId, polledAt);
    const givenUp = (problem: PinnedNodeProblem | undefined): problem is PinnedNodeProblem =>
      problem !== undefined &&
      polledAt - (unusableSince.get(problem.nodeId) ?? polledAt) >= PINNED_NODE_GRACE_MS;
    const drafts = new Map<string, Draft>();
    for (const name of names) {
      const service = byName.get(name);
      if (!service) {
        const gone = present.has(name) ? "was removed while waiting" : "does not exist";
        drafts.set(name, { ...NOT_THERE, notes: [{ text: `service ${name} ${gone}` }] });
        continue;
      }
      const own = tasks.filter((task) => task.serviceId === service.ID);
      const draft = withPinnedNode(
        draftFor(desiredOf(service), own, hostnames, hasHealthcheck(service), options.taskHashes?.get(name)),
        blocked.get(service.ID),
        givenUp,
      );
      drafts.set(
        name,
        withUpdate(
          draft,
          {
            status: updateStatusFromRaw(service.UpdateStatus),
            specHash: specHashOf(service.Spec?.Labels),
            expectedHash: options.expectedHashes?.get(name),
            rememberedReason: reasons.get(service.ID),
          },
          own,
          hostnames,
        ),
      );
    }
    const remaining = deadline - clock.now();
    const converged = names.every((name) => {
      const draft = drafts.get(name);
      return !present.has(name) || draft?.ok === true || draft?.failed === true;
    });
    if (converged || remaining <= 0) return finishAll(docker, drafts, hostnames);
    options.onPoll?.(finishWith(drafts, new Map(), hostnames));
    await sleep(clock, Math.min(pollMs, remaining));
  }
}

async function listServices(docker: Docker, names: readonly string[]): Promise<Docker.Service[]> {
  try {
    const listed = await docker.listServices({ filters: { name: [...names] }, status: true });
    // The name filter matches prefixes; keep exact names only.
    return listed.filter((service) => names.includes(service.Spec?.Name ?? ""));
  } catch (err) {
    throw toDockerError(err, "cannot wait for tasks");
  }
}

/** A result before its probe outputs are read: errors still name their tasks. */
interface Draft {
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

const NOT_THERE: Draft = {
  ok: false,
  failed: true,
  running: 0,
  desired: 0,
  notes: [],
  taskErrors: [],
  starting: [],
};

/** Reads the probe outputs the drafts need (none when all is well) and makes them results. */
async function finishAll(
  docker: Docker,
  drafts: ReadonlyMap<string, Draft>,
  hostnames: ReadonlyMap<string, string>,
): Promise<Record<string, WaitResult>> {
  const tasks = [...drafts.values()]
    .filter((draft) => !draft.ok)
    .flatMap((draft) => [...draft.taskErrors.map((e) => e.task), ...draft.starting]);
  return finishWith(drafts, await lastProbeOutputs(docker, tasks, hostnames), hostnames);
}

function finishWith(
  drafts: ReadonlyMap<string, Draft>,
  probes: ReadonlyMap<string, ProbeOutput>,
  hostnames: ReadonlyMap<string, string>,
): Record<string, WaitResult> {
  const results: Record<string, WaitResult> = {};
  for (const [name, draft] of drafts) {
    const errors: TaskError[] = [
      ...draft.notes,
      ...draft.taskErrors.map(({ task, node }) => {
        const text = taskErrorText(task, probes);
        return node === undefined ? { text } : { node, text };
      }),
    ];
    const first = draft.starting[0];
    if (!draft.ok && first && errors.length === 0) {
      const { node } = withNode(first, hostnames);
      const text = startingText(first, probes);
      errors.push(node === undefined ? { text } : { node, text });
    }
    const result: WaitResult = {
      ok: draft.ok,
      failed: draft.failed,
      running: draft.running,
      desired: draft.desired,
      errors,
    };
    if (draft.starting.length > 0) result.starting = draft.starting.length;
    if (draft.problem) result.problem = draft.problem;
    results[name] = result;
  }
  return results;
}

/** Swarm's update in progress keeps an app waiting; a rollback or a pause fails it. */
function withUpdate(
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
interface PinnedNodeProblem {
  nodeId: string;
  why: string;
}

function pinnedNodeProblem(service: Docker.Service, nodes: ObservedNode[]): PinnedNodeProblem | undefined {
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
function withPinnedNode(
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

function desiredOf(service: Docker.Service): number {
  const replicas = service.Spec?.Mode?.Replicated?.Replicas;
  if (replicas !== undefined) return replicas;
  return service.ServiceStatus?.DesiredTasks ?? 0;
}

/** The Engine API's `Healthcheck` (dockerode's types spell it `HealthCheck`); `NONE` disables the image's. */
function hasHealthcheck(service: Docker.Service): boolean {
  const template = service.Spec?.TaskTemplate as
    { ContainerSpec?: { Healthcheck?: { Test?: string[] } } } | undefined;
  const test = template?.ContainerSpec?.Healthcheck?.Test;
  return test !== undefined && test.length > 0 && test[0] !== "NONE";
}

function draftFor(
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

function withNode(
  task: ObservedTask,
  hostnames: ReadonlyMap<string, string>,
): { task: ObservedTask; node?: string } {
  return task.nodeId ? { task, node: hostnames.get(task.nodeId) ?? task.nodeId } : { task };
}
