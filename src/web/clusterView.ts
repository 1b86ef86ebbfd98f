import type { LeaseStatus } from "../controller/leaseTypes.js";
import type { RecentAction } from "../controller/recentActions.js";
import type { GitStatus } from "../gitsource/gitOps.js";
import { inventory, type DataInventory } from "../reconcile/inventory.js";
import { isManagedBy } from "../reconcile/managed.js";
import { isUsable, nodeCondition } from "../reconcile/nodes.js";
import type { StatusRow } from "../reconcile/status.js";
import type { AppState } from "../reconcile/verdicts.js";
import type { ObservedNode, ObservedState } from "../swarm/types.js";

/*
 * What the web view shows, computed from what the daemon already holds (its status rows, its last
 * Swarm snapshot, its recent actions, the Git source's and the lease's status). Pure: the page is
 * rendered from this, and tests check it without a browser.
 */

export interface ViewInput {
  instance: string;
  apps: StatusRow[];
  /** The daemon's last Swarm snapshot; absent before the first read (or on a standby). */
  observed?: ObservedState;
  actions: RecentAction[];
  readiness: { ready: boolean; reason?: string };
  /** Epoch ms of the daemon's last full resync that reconciled every app. */
  lastSync?: number;
  git?: GitStatus;
  lease?: LeaseStatus;
  /** When the view was made (epoch ms). */
  now: number;
}

/** A node and what it holds: the persistent apps pinned to it, and how many other tasks it runs. */
export interface NodeView {
  id: string;
  hostname: string;
  role?: "manager" | "worker";
  /** `ready/active`, `down/active`, `ready/drain`, ...; `gone` when the node left the Swarm. */
  condition: string;
  /** The node cannot run its pinned apps now: down, drained, paused or gone. */
  unusable: boolean;
  pinned: { name: string; state: AppState; waiting: boolean }[];
  /** Running tasks of this instance's apps that are not persistent. */
  statelessTasks: number;
}

export interface ClusterView {
  generatedAt: string;
  instance: string;
  readiness: { ready: boolean; reason?: string };
  /** ISO time of the daemon's last full resync that reconciled every app. */
  lastSync?: string;
  apps: (StatusRow & { attention: boolean })[];
  /** Counts of apps by state, for the summary line. */
  states: Partial<Record<AppState, number>>;
  nodes: NodeView[];
  /** `alacrity data`, from the snapshot (no sizes: the daemon does not scan its engine's disk). */
  data?: DataInventory;
  actions: RecentAction[];
  git?: GitStatus;
  lease?: LeaseStatus;
}

/** States in which an app runs as its manifest says (or is stopped on purpose, for a while). */
const CALM: ReadonlySet<AppState> = new Set(["running", "converging", "maintenance", "stopped", "starting"]);

/** A state in which an app needs no one: running as declared, on its way there, or stopped on purpose. */
export const isCalm = (state: AppState): boolean => CALM.has(state);

export function needsAttention(row: StatusRow): boolean {
  return !isCalm(row.state) || row.held === true;
}

export function clusterView(input: ViewInput): ClusterView {
  const apps = input.apps.map((row) => ({ ...row, attention: needsAttention(row) }));
  const states: Partial<Record<AppState, number>> = {};
  for (const row of apps) states[row.state] = (states[row.state] ?? 0) + 1;
  const view: ClusterView = {
    generatedAt: new Date(input.now).toISOString(),
    instance: input.instance,
    readiness: input.readiness,
    apps,
    states,
    nodes: input.observed ? nodeViews(input.observed, input.apps, input.instance) : [],
    actions: input.actions,
  };
  if (input.observed) view.data = inventory({ observed: input.observed });
  if (input.lastSync !== undefined) view.lastSync = new Date(input.lastSync).toISOString();
  if (input.git) view.git = input.git;
  if (input.lease) view.lease = input.lease;
  return view;
}

/**
 * Every node of the Swarm, managers first, then by hostname; then a `gone` entry for each node a
 * pinned app still names but the Swarm no longer has.
 */
function nodeViews(observed: ObservedState, rows: StatusRow[], instance: string): NodeView[] {
  const views = new Map<string, NodeView>();
  const sorted = [...observed.nodes].sort(
    (a, b) =>
      Number(b.role === "manager") - Number(a.role === "manager") || a.hostname.localeCompare(b.hostname),
  );
  for (const node of sorted) views.set(node.id, nodeView(node));

  const pins = new Map(observed.pins.map((p) => [p.app, p]));
  const byHostname = new Map(observed.nodes.map((n) => [n.hostname, n.id]));
  for (const row of rows) {
    if (!row.persistent || row.node === undefined) continue;
    const pin = pins.get(row.name);
    const id = pin?.nodeId ?? byHostname.get(row.node) ?? row.node;
    let view = views.get(id);
    if (!view) {
      view = {
        id,
        hostname: pin?.hostname ?? row.node,
        condition: "gone",
        unusable: true,
        pinned: [],
        statelessTasks: 0,
      };
      views.set(id, view);
    }
    view.pinned.push({ name: row.name, state: row.state, waiting: row.state === "waiting" });
  }

  const persistent = new Set(rows.filter((r) => r.persistent).map((r) => r.name));
  const stateless = new Set(
    observed.services.filter((s) => isManagedBy(s, instance) && !persistent.has(s.name)).map((s) => s.id),
  );
  for (const task of observed.tasks) {
    if (task.state !== "running" || task.desiredState !== "running" || !stateless.has(task.serviceId))
      continue;
    const view = task.nodeId === undefined ? undefined : views.get(task.nodeId);
    if (view) view.statelessTasks += 1;
  }
  return [...views.values()];
}

function nodeView(node: ObservedNode): NodeView {
  return {
    id: node.id,
    hostname: node.hostname,
    role: node.role,
    condition: nodeCondition(node),
    unusable: !isUsable(node),
    pinned: [],
    statelessTasks: 0,
  };
}
