import type Docker from "dockerode";
import { toDockerError } from "./errors.js";
import { nodeFromRaw, taskFromRaw } from "./observe.js";
import type { RawNode, RawTask } from "./observe.js";
import { sleep, systemClock, type Clock } from "../domain/clock.js";
import type { ObservedNode, ObservedTask } from "./types.js";
import { swarmReason } from "../domain/updateOutcome.js";
import type { ProbeOutput } from "../domain/taskHealth.js";
import { lastProbeOutputs } from "./probeOutput.js";
import { withEndedHealth } from "./endedHealth.js";
import type { EndedHealth } from "./endedHealth.js";
import { updateStatusFromRaw } from "./updateStatus.js";
import { specHashOf, startingText, taskErrorText } from "./waitOutcome.js";
import type { WaitProblem } from "./waitOutcome.js";
import {
  desiredOf,
  draftFor,
  hasHealthcheck,
  NOT_THERE,
  pinnedNodeProblem,
  withPinnedNode,
  withNode,
  withUpdate,
} from "./waitDraft.js";
import type { Draft, PinnedNodeProblem, TaskError } from "./waitDraft.js";

export type { TaskError } from "./waitDraft.js";

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
  /** The Swarm name of each app whose service is not named for it (`spec.serviceName`). */
  serviceNames?: ReadonlyMap<string, string>;
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
  const swarmName = (app: string): string => options.serviceNames?.get(app) ?? app;
  const swarmNames = names.map(swarmName);

  let services = await listServices(docker, swarmNames);
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
        attempt === 0 ? Promise.resolve(services) : listServices(docker, swarmNames),
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
      const service = byName.get(swarmName(name));
      if (!service) {
        const gone = present.has(swarmName(name)) ? "was removed while waiting" : "does not exist";
        drafts.set(name, { ...NOT_THERE, notes: [{ text: `service ${swarmName(name)} ${gone}` }] });
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
      return !present.has(swarmName(name)) || draft?.ok === true || draft?.failed === true;
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
