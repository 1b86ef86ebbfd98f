import type Docker from "dockerode";
import { toDockerError } from "./errors.js";
import { strandedMessage, whyNodeUnusable } from "../domain/pinnedNode.js";
import { newestTasksFirst, nodeFromRaw, taskFromRaw } from "./observe.js";
import type { RawNode, RawTask } from "./observe.js";
import { sleep, systemClock, type Clock } from "../domain/clock.js";
import { LABEL } from "../domain/names.js";
import type { ObservedNode, ObservedTask } from "./types.js";

export interface TaskError {
  /** Hostname of the node the task was on; absent when it was never placed. */
  node?: string;
  /** Swarm's own error text, e.g. `invalid mount config for type "bind": bind source path does not exist: /srv/x`. */
  text: string;
}

export interface WaitResult {
  /** Every desired task is running and none is still on its way. */
  ok: boolean;
  /**
   * Swarm keeps retrying a task that cannot start (a missing bind path, a missing image) for
   * ever; after `GIVE_UP_AFTER_FAILURES` failed or rejected tasks the app counts as failed and is
   * no longer waited for, so `apply --wait` reports it without sitting out the whole timeout.
   * So does an app pinned to a node that has been down, drained or paused, or is no longer in
   * the Swarm, for `PINNED_NODE_GRACE_MS`: it runs again only when someone brings the node back
   * (or moves the app).
   */
  failed: boolean;
  running: number;
  desired: number;
  errors: TaskError[];
}

export interface WaitOptions {
  /** Injected for tests; defaults to the system clock. */
  clock?: Clock;
}

/** How often `apply --wait` lists the tasks: 4 small requests a second against the local engine. */
export const WAIT_POLL_MS = 250;

/** How long a pinned app's node may be unusable before the wait gives up on that app. */
export const PINNED_NODE_GRACE_MS = 5_000;

/**
 * Polls Swarm until every named service runs its desired number of tasks, or `timeoutMs` passes.
 * One task and one node list per poll (plus one service list at the start); the result carries,
 * for services that are not converged, the error text Swarm gave their failing tasks, or why the
 * node a persistent app is pinned to cannot run it.
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

  let services: Docker.Service[];
  try {
    const listed = await docker.listServices({ filters: { name: [...names] }, status: true });
    // The name filter matches prefixes; keep exact names only.
    services = listed.filter((service) => names.includes(service.Spec?.Name ?? ""));
  } catch (err) {
    throw toDockerError(err, "cannot wait for tasks");
  }
  const byName = new Map(services.map((service) => [service.Spec?.Name ?? "", service]));
  /** When each unusable node was first seen so in this wait. */
  const unusableSince = new Map<string, number>();

  for (let attempt = 0; ; attempt++) {
    let tasks: ObservedTask[] = [];
    let nodes: ObservedNode[];
    try {
      const [rawTasks, rawNodes] = await Promise.all([
        services.length > 0
          ? (docker.listTasks({ filters: { service: services.map((service) => service.ID) } }) as Promise<
              RawTask[]
            >)
          : Promise.resolve([]),
        docker.listNodes() as Promise<RawNode[]>,
      ]);
      tasks = rawTasks.map(taskFromRaw);
      nodes = rawNodes.map(nodeFromRaw);
    } catch (err) {
      throw toDockerError(err, "cannot wait for tasks");
    }
    const hostnames = new Map(nodes.map((node) => [node.id, node.hostname || node.id]));
    const polledAt = clock.now();
    const blocked = new Map<string, PinnedNodeProblem>();
    for (const service of services) {
      const problem = pinnedNodeProblem(service, nodes);
      if (problem) blocked.set(service.ID, problem);
    }
    const blockedNodes = new Set([...blocked.values()].map((problem) => problem.nodeId));
    for (const nodeId of unusableSince.keys()) if (!blockedNodes.has(nodeId)) unusableSince.delete(nodeId);
    for (const nodeId of blockedNodes) if (!unusableSince.has(nodeId)) unusableSince.set(nodeId, polledAt);
    const givenUp = (problem: PinnedNodeProblem | undefined): problem is PinnedNodeProblem =>
      problem !== undefined &&
      polledAt - (unusableSince.get(problem.nodeId) ?? polledAt) >= PINNED_NODE_GRACE_MS;
    const results: Record<string, WaitResult> = {};
    for (const name of names) {
      const service = byName.get(name);
      results[name] = service
        ? withPinnedNode(
            resultFor(
              desiredOf(service),
              tasks.filter((task) => task.serviceId === service.ID),
              hostnames,
            ),
            blocked.get(service.ID),
            givenUp,
          )
        : {
            ok: false,
            failed: true,
            running: 0,
            desired: 0,
            errors: [{ text: `service ${name} does not exist` }],
          };
    }
    const remaining = deadline - clock.now();
    // A service missing at the start will not appear by waiting: only the others are waited for.
    const converged = names.every(
      (name) => !byName.has(name) || results[name]?.ok === true || results[name]?.failed === true,
    );
    if (converged || remaining <= 0) return results;
    await sleep(clock, Math.min(pollMs, remaining));
  }
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
  result: WaitResult,
  problem: PinnedNodeProblem | undefined,
  givenUp: (problem: PinnedNodeProblem | undefined) => problem is PinnedNodeProblem,
): WaitResult {
  if (result.ok || !givenUp(problem)) return result;
  // No `node`: that field names where a task ran, and these tasks were never placed.
  return { ...result, failed: true, errors: [{ text: problem.why }] };
}

/** Failed or rejected tasks after which an app that still does not run counts as failed. */
export const GIVE_UP_AFTER_FAILURES = 3;

function desiredOf(service: Docker.Service): number {
  const replicas = service.Spec?.Mode?.Replicated?.Replicas;
  if (replicas !== undefined) return replicas;
  return service.ServiceStatus?.DesiredTasks ?? 0;
}

function resultFor(desired: number, tasks: ObservedTask[], hostnames: Map<string, string>): WaitResult {
  const wanted = tasks.filter((task) => task.desiredState === "running");
  const running = wanted.filter((task) => task.state === "running").length;
  const ok = running === desired && wanted.length === running;
  return {
    ok,
    failed: !ok && tasks.filter((task) => FAILED_STATES.has(task.state)).length >= GIVE_UP_AFTER_FAILURES,
    running,
    desired,
    errors: errorsOf(tasks, hostnames),
  };
}

/**
 * For each slot (global services: node) whose newest task is not running, the newest error
 * Swarm recorded there: a failed or rejected task's error, or why a task is still pending.
 * A slot that runs again after a failure reports nothing.
 */
const FAILED_STATES = new Set(["failed", "rejected"]);

function errorsOf(tasks: ObservedTask[], hostnames: Map<string, string>): TaskError[] {
  const slots = new Map<string, ObservedTask[]>();
  for (const task of newestTasksFirst(tasks)) {
    const slot = String(task.slot ?? `node:${task.nodeId ?? ""}`);
    const list = slots.get(slot) ?? [];
    list.push(task);
    slots.set(slot, list);
  }
  const errors: TaskError[] = [];
  const seen = new Set<string>();
  for (const slotTasks of slots.values()) {
    const newest = slotTasks[0];
    if (!newest || newest.state === "running") continue;
    // A slot being scaled away is not an error, unless its last task failed.
    const retired = newest.desiredState === "shutdown" || newest.desiredState === "remove";
    if (retired && !FAILED_STATES.has(newest.state)) continue;
    const withError = slotTasks.find((task) => task.error);
    if (!withError?.error) continue;
    const node = withError.nodeId ? (hostnames.get(withError.nodeId) ?? withError.nodeId) : undefined;
    const key = `${node ?? ""}\u0000${withError.error}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(node === undefined ? { text: withError.error } : { node, text: withError.error });
  }
  return errors;
}
