import type { DesiredState } from "../manifest/types.js";
import { formatError } from "../manifest/types.js";
import { volumeName } from "../swarm/types.js";
import type { ObservedNode, ObservedService, ObservedState, ObservedTask } from "../swarm/types.js";
import { LABEL } from "../swarm/types.js";
import type { Plan } from "./types.js";
import { DEFAULT_INSTANCE, isManagedBy } from "./managed.js";
import { nodeCondition, whyNodeUnusable } from "./nodes.js";
import { pinOf, strandedMessage } from "./pins.js";

export type AppState =
  | "running"
  | "converging"
  | "waiting"
  | "failed"
  | "rejected"
  | "invalid"
  | "removing"
  | "held-back"
  | "stopped";

/** One row of `alacrity status`. */
export interface StatusRow {
  name: string;
  persistent: boolean;
  /** Desired replicas: the manifest's when known, else the service's (null for a global service). */
  desired: number | null;
  /** Tasks that are running and meant to be. */
  running: number;
  /** Pinned node (hostname, or ID when the hostname is unknown); undefined for unpinned apps. */
  node?: string;
  /** The pinned node's `state/availability` (`ready/active`, `down/active`, `gone`). */
  nodeState?: string;
  /** Docker volume names and host paths. */
  volumes: string[];
  state: AppState;
  /** The Git commit the service was last changed from (label `alacrity.revision`), when known. */
  revision?: string;
  /** Why, in plain words; empty when running as desired. */
  reason: string;
}

export interface StatusOptions {
  /** The AlaCrity instance whose services are shown (default `default`). */
  instance?: string;
}

/**
 * One row per app: every service this instance manages, plus the apps the manifests define that
 * have no service yet (and rejected or invalid ones, so `status` says why they are not there).
 * Pure: built from the observed state and, when given, the desired state and the plan.
 */
export function summarizeStatus(
  observed: ObservedState,
  desired?: DesiredState,
  plan?: Plan,
  options: StatusOptions = {},
): StatusRow[] {
  const instance = options.instance ?? DEFAULT_INSTANCE;
  const managed = new Map(
    observed.services.filter((s) => isManagedBy(s, instance)).map((s) => [s.name, s] as const),
  );
  const names = new Set<string>([...managed.keys(), ...(desired?.apps.keys() ?? [])]);
  for (const inv of desired?.invalid ?? []) if (inv.name !== undefined) names.add(inv.name);
  for (const r of plan?.rejections ?? []) names.add(r.app);

  return [...names].sort().map((name) => rowFor(name, managed.get(name), observed, desired, plan));
}

function rowFor(
  name: string,
  service: ObservedService | undefined,
  observed: ObservedState,
  desired: DesiredState | undefined,
  plan: Plan | undefined,
): StatusRow {
  const app = desired?.apps.get(name);
  const persistent = app?.persistent ?? service?.fields.labels[LABEL.persistent] === "true";
  const tasks = service ? observed.tasks.filter((t) => t.serviceId === service.id) : [];
  const running = tasks.filter((t) => t.state === "running" && t.desiredState === "running").length;
  const desiredReplicas = app?.replicas ?? service?.fields.replicas ?? 0;
  const volumes = app
    ? app.volumes.map((v) => (v.kind === "named" ? volumeName(v.name) : v.hostPath))
    : (service?.fields.mounts.map((m) => m.source) ?? []);

  const pin = pinOf(name, observed.pins);
  const pinNodeId = pin?.nodeId ?? service?.fields.labels[LABEL.pinNode];
  const node = pinNodeId !== undefined ? observed.nodes.find((n) => n.id === pinNodeId) : undefined;
  const pinned = persistent && pinNodeId !== undefined;
  const row: StatusRow = {
    name,
    persistent,
    desired: desiredReplicas,
    running,
    volumes,
    state: "running",
    reason: "",
  };
  const revision = service?.fields.labels[LABEL.revision];
  if (revision !== undefined) row.revision = revision;
  if (pinned) {
    row.node = node?.hostname ?? pin?.hostname ?? service?.fields.labels[LABEL.pinHostname] ?? pinNodeId;
    row.nodeState = node ? nodeCondition(node) : "gone";
  }

  const { state, reason } = stateOf(name, service, tasks, running, desiredReplicas, pinned, node, {
    pinHostname: row.node,
    pinNodeId,
    desired,
    plan,
  });
  row.state = state;
  row.reason = reason;
  return row;
}

interface Context {
  pinHostname: string | undefined;
  pinNodeId: string | undefined;
  desired: DesiredState | undefined;
  plan: Plan | undefined;
}

function stateOf(
  name: string,
  service: ObservedService | undefined,
  tasks: ObservedTask[],
  running: number,
  desiredReplicas: number | null,
  pinned: boolean,
  node: ObservedNode | undefined,
  ctx: Context,
): { state: AppState; reason: string } {
  const invalid = ctx.desired?.invalid.find((i) => i.name === name);
  if (invalid) {
    const keeps = service ? "the running service is kept as it is" : "nothing is deployed";
    const first = invalid.errors[0];
    return { state: "invalid", reason: `${first ? formatError(first) : "invalid manifest"}; ${keeps}` };
  }
  const rejection = ctx.plan?.rejections.find((r) => r.app === name);
  if (rejection) return { state: "rejected", reason: rejection.message };
  if (pinned && !node && ctx.pinNodeId !== undefined) {
    return {
      state: "waiting",
      reason: strandedMessage({
        app: name,
        nodeId: ctx.pinNodeId,
        hostname: ctx.pinHostname ?? ctx.pinNodeId,
        configId: "",
      }),
    };
  }
  if (ctx.plan?.actions.some((a) => a.app === name && a.kind === "remove")) {
    return { state: "removing", reason: "app removed: its manifest is gone (volumes and pin are kept)" };
  }
  if (ctx.plan?.heldBack.some((a) => a.app === name)) {
    return {
      state: "held-back",
      reason: "no longer defined, but its removal is held back by a safety guard",
    };
  }
  if (pinned && node) {
    const why = whyNodeUnusable(node);
    if (why !== undefined && running < (desiredReplicas ?? 0)) return { state: "waiting", reason: why };
  }
  const pending = ctx.plan?.actions.find((a) => a.app === name && a.kind !== "pin");
  if (!service) {
    return {
      state: "converging",
      reason: pending ? `to be created (${pending.reason})` : "not deployed yet",
    };
  }
  if (running < (desiredReplicas ?? 0)) {
    const failure = latestProblem(tasks);
    if (failure) return failure;
  }
  if (pending) return { state: "converging", reason: `to be ${pending.kind}d (${pending.reason})` };
  if (desiredReplicas === 0) return { state: "stopped", reason: "scaled to 0 replicas" };
  if (desiredReplicas !== null && running !== desiredReplicas) {
    return { state: "converging", reason: `${running} of ${desiredReplicas} tasks running` };
  }
  return { state: "running", reason: "" };
}

/** The newest task that is not running, told in plain words when Swarm's text is known to be cryptic. */
function latestProblem(tasks: ObservedTask[]): { state: AppState; reason: string } | undefined {
  const latest = [...tasks]
    .filter((t) => t.state !== "running")
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0))[0];
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
