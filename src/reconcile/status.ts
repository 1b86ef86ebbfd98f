import type { DesiredState, InvalidApp } from "../manifest/types.js";
import { formatError } from "../manifest/types.js";
import { storageName } from "../rules/storage.js";
import type {
  ObservedNode,
  ObservedService,
  ObservedState,
  ObservedTask,
  MaintenanceRecord,
  PinRecord,
} from "../swarm/types.js";
import { LABEL } from "../domain/names.js";
import type { Action, HeldApp, Plan, Rejection } from "./types.js";
import type { ProbeOutput } from "../domain/taskHealth.js";
import { describeProbe, healthPending } from "../domain/taskHealth.js";
import { DEFAULT_INSTANCE, isManagedBy } from "./managed.js";
import { nodeCondition, whyNodeUnusable } from "./nodes.js";
import type { AppHealth, AppState, ProblemLookups, Verdict } from "./verdicts.js";
import { hasHealthcheck, healthProblem, latestProblem, updateProblem } from "./verdicts.js";
import { pinsByApp, strandedMessage } from "./pins.js";
import { maintenanceByApp, maintenanceMessage } from "./maintenance.js";

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
  /** The Swarm networks the service's tasks join, as the Swarm names them (`alacran--default`, ...). */
  networks: string[];
  state: AppState;
  /** The Git commit the service was last changed from (label `alacrity.revision`), when known. */
  revision?: string;
  /** Why, in plain words; empty when running as desired. */
  reason: string;
  /**
   * Apps with a health check: `healthy` when their tasks run (Swarm runs a task only once its
   * check passed), `starting` before, `unhealthy` when they fail it. Absent: no health check.
   */
  health?: AppHealth;
  /** The hash of the spec Swarm rolled back, when known (`rolled-back` only). */
  failedSpec?: string;
  /** The manifest's spec is held after a rollback: no update until it changes or a retry. */
  held?: boolean;
}

export interface StatusOptions {
  /** The AlaCrity instance whose services are shown (default `default`). */
  instance?: string;
  /**
   * The last probe output of tasks that are starting or failed their health check, by task ID
   * (`lastProbeOutputs` in src/swarm/probeOutput.ts); absent: unknown, the reason says so.
   */
  probes?: ReadonlyMap<string, ProbeOutput>;
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

  const lookups = indexLookups(observed, desired, plan, options.probes);
  return [...names].sort().map((name) => rowFor(name, managed.get(name), lookups, desired));
}

/** What each row looks up, indexed once: per-row searches made a 1000-app status O(apps × tasks). */
interface Lookups extends ProblemLookups {
  tasksByService: Map<string, ObservedTask[]>;
  nodesById: Map<string, ObservedNode>;
  pinsByApp: Map<string, PinRecord>;
  invalidByName: Map<string, InvalidApp>;
  rejectionByApp: Map<string, Rejection>;
  removing: Set<string>;
  heldBack: Set<string>;
  /** The first planned action of each app other than its pin. */
  pendingByApp: Map<string, Action>;
  heldByApp: Map<string, HeldApp>;
  maintenanceByApp: Map<string, MaintenanceRecord>;
}

function indexLookups(
  observed: ObservedState,
  desired?: DesiredState,
  plan?: Plan,
  probes: ReadonlyMap<string, ProbeOutput> = new Map(),
): Lookups {
  const first = <K, V>(map: Map<K, V>, key: K, value: V): void => {
    if (!map.has(key)) map.set(key, value);
  };
  const lookups: Lookups = {
    tasksByService: new Map(),
    nodesById: new Map(),
    pinsByApp: pinsByApp(observed.pins),
    invalidByName: new Map(),
    rejectionByApp: new Map(),
    removing: new Set(),
    heldBack: new Set((plan?.heldBack ?? []).map((a) => a.app)),
    pendingByApp: new Map(),
    heldByApp: new Map((plan?.held ?? []).map((h) => [h.app, h] as const)),
    maintenanceByApp: maintenanceByApp(observed.maintenance),
    planned: plan !== undefined,
    probes,
  };
  for (const task of observed.tasks) {
    const list = lookups.tasksByService.get(task.serviceId);
    if (list) list.push(task);
    else lookups.tasksByService.set(task.serviceId, [task]);
  }
  for (const node of observed.nodes) first(lookups.nodesById, node.id, node);
  for (const inv of desired?.invalid ?? [])
    if (inv.name !== undefined) first(lookups.invalidByName, inv.name, inv);
  for (const r of plan?.rejections ?? []) first(lookups.rejectionByApp, r.app, r);
  for (const action of plan?.actions ?? []) {
    if (action.kind === "remove") lookups.removing.add(action.app);
    if (action.kind !== "pin") first(lookups.pendingByApp, action.app, action);
  }
  return lookups;
}

function rowFor(
  name: string,
  service: ObservedService | undefined,
  lookups: Lookups,
  desired: DesiredState | undefined,
): StatusRow {
  const app = desired?.apps.get(name);
  const persistent = app?.persistent ?? service?.fields.labels[LABEL.persistent] === "true";
  const tasks = service ? (lookups.tasksByService.get(service.id) ?? []) : [];
  const running = tasks.filter((t) => t.state === "running" && t.desiredState === "running").length;
  const desiredReplicas = app?.replicas ?? service?.fields.replicas ?? 0;
  const volumes = app ? app.volumes.map(storageName) : (service?.fields.mounts.map((m) => m.source) ?? []);

  const pin = lookups.pinsByApp.get(name);
  const pinNodeId = pin?.nodeId ?? service?.fields.labels[LABEL.pinNode];
  const node = pinNodeId !== undefined ? lookups.nodesById.get(pinNodeId) : undefined;
  const pinned = persistent && pinNodeId !== undefined;
  const row: StatusRow = {
    name,
    persistent,
    desired: desiredReplicas,
    running,
    volumes,
    networks: (service?.fields.networks ?? []).map((n) => n.network),
    state: "running",
    reason: "",
  };
  const revision = service?.fields.labels[LABEL.revision];
  if (revision !== undefined) row.revision = revision;
  if (pinned) {
    row.node = node?.hostname ?? pin?.hostname ?? service?.fields.labels[LABEL.pinHostname] ?? pinNodeId;
    row.nodeState = node ? nodeCondition(node) : "gone";
  }

  const { state, reason, health, failedSpec, held } = stateOf(
    name,
    service,
    tasks,
    running,
    desiredReplicas,
    pinned,
    node,
    {
      pinHostname: row.node,
      pinNodeId,
      lookups,
    },
  );
  row.state = state;
  row.reason = reason;
  if (health) row.health = health;
  if (failedSpec !== undefined) row.failedSpec = failedSpec;
  if (held) row.held = true;
  return row;
}

interface Context {
  pinHostname: string | undefined;
  pinNodeId: string | undefined;
  lookups: Lookups;
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
): Verdict {
  const invalid = ctx.lookups.invalidByName.get(name);
  if (invalid) {
    const keeps = service ? "the running service is kept as it is" : "nothing is deployed";
    const first = invalid.errors[0];
    return { state: "invalid", reason: `${first ? formatError(first) : "invalid manifest"}; ${keeps}` };
  }
  const rejection = ctx.lookups.rejectionByApp.get(name);
  if (rejection) return { state: "rejected", reason: rejection.message };
  const maintenance = ctx.lookups.maintenanceByApp.get(name);
  if (maintenance) return { state: "maintenance", reason: maintenanceMessage(maintenance) };
  if (pinned && !node && ctx.pinNodeId !== undefined) {
    return {
      state: "waiting",
      reason: strandedMessage({ nodeId: ctx.pinNodeId, hostname: ctx.pinHostname ?? ctx.pinNodeId }),
    };
  }
  if (ctx.lookups.removing.has(name)) {
    return { state: "removing", reason: "app removed: its manifest is gone (volumes and pin are kept)" };
  }
  if (ctx.lookups.heldBack.has(name)) {
    return {
      state: "held-back",
      reason: "no longer defined, but its removal is held back by a safety guard",
    };
  }
  if (pinned && node) {
    const why = whyNodeUnusable(node);
    if (why !== undefined && running < (desiredReplicas ?? 0)) return { state: "waiting", reason: why };
  }
  const pending = ctx.lookups.pendingByApp.get(name);
  if (!service) {
    return {
      state: "converging",
      reason: pending ? `to be created (${pending.reason})` : "not deployed yet",
    };
  }
  const update = updateProblem(name, service, tasks, ctx.lookups, pending);
  if (update) return update;
  if (running < (desiredReplicas ?? 0)) {
    const failure = healthProblem(tasks, ctx.lookups.probes) ?? latestProblem(tasks);
    if (failure) return failure;
    // Every task passes through `starting`; only a health check keeps it there.
    const starting = hasHealthcheck(service) ? tasks.find(healthPending) : undefined;
    if (starting) {
      const probe = ctx.lookups.probes.get(starting.id);
      const last = probe && probe.kind !== "none" ? `; last probe: ${describeProbe(probe)}` : "";
      return {
        state: "starting",
        health: "starting",
        reason: `the health check has not passed yet (${running} of ${desiredReplicas ?? 0} tasks running${last})`,
      };
    }
  }
  if (pending) return { state: "converging", reason: `to be ${pending.kind}d (${pending.reason})` };
  if (desiredReplicas === 0) return { state: "stopped", reason: "scaled to 0 replicas" };
  if (desiredReplicas !== null && running !== desiredReplicas) {
    return { state: "converging", reason: `${running} of ${desiredReplicas} tasks running` };
  }
  return hasHealthcheck(service)
    ? { state: "running", reason: "", health: "healthy" }
    : { state: "running", reason: "" };
}
