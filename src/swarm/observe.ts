import type Docker from "dockerode";
import { toDockerError } from "./errors.js";
import { fieldsFromSpec } from "./serviceFields.js";
import { updateStatusFromRaw } from "./updateStatus.js";
import {
  holdConfigName,
  LABEL,
  leftConfigName,
  maintenanceConfigName,
  pinConfigName,
} from "../domain/names.js";
import { newestTasksFirst } from "../domain/taskOrder.js";
import type {
  HoldRecord,
  ObservedContent,
  ObservedNetwork,
  ObservedNode,
  ObservedService,
  ObservedState,
  ObservedTask,
  ObservedVolume,
  PinRecord,
  LeftRecord,
  MaintenanceOperation,
  MaintenanceRecord,
} from "./types.js";

/**
 * Reads the whole observed state in seven list calls made at once (services, tasks, nodes,
 * volumes, configs, networks, secrets) and never inspects a single object: the cost of a resync
 * does not grow with the number of apps in API round trips. One config list serves the pin and
 * hold records and the configs apps mount (external ones included).
 */
export async function observe(docker: Docker): Promise<ObservedState> {
  let lists: [
    Docker.Service[],
    RawTask[],
    RawNode[],
    { Volumes?: RawVolume[] | null },
    Docker.ConfigInfo[],
    Docker.NetworkInspectInfo[],
    RawContent[],
  ];
  try {
    lists = await Promise.all([
      docker.listServices(),
      docker.listTasks() as Promise<RawTask[]>,
      docker.listNodes() as Promise<RawNode[]>,
      docker.listVolumes() as Promise<{ Volumes?: RawVolume[] | null }>,
      docker.listConfigs(),
      docker.listNetworks(),
      docker.listSecrets() as Promise<RawContent[]>,
    ]);
  } catch (err) {
    throw toDockerError(err, "cannot read the Swarm state");
  }
  const [rawServices, rawTasks, rawNodes, rawVolumes, rawConfigs, rawNetworks, rawSecrets] = lists;
  const networks = rawNetworks.map(networkFromRaw);
  const networkNames = new Map(networks.map((network) => [network.id, network.name]));
  const services = rawServices.map((raw) => serviceFromRaw(raw, networkNames));
  const serviceIds = new Set(services.map((service) => service.id));
  const isPin = (raw: Docker.ConfigInfo): boolean => raw.Spec?.Labels?.[LABEL.pinRecord] === "true";
  const isHold = (raw: Docker.ConfigInfo): boolean => raw.Spec?.Labels?.[LABEL.holdRecord] === "true";
  const isLeft = (raw: Docker.ConfigInfo): boolean => raw.Spec?.Labels?.[LABEL.leftRecord] === "true";
  const isMaintenance = (raw: Docker.ConfigInfo): boolean =>
    raw.Spec?.Labels?.[LABEL.maintenance] !== undefined;
  return {
    services,
    tasks: relevantTasks(rawTasks.map(taskFromRaw).filter((task) => serviceIds.has(task.serviceId))),
    nodes: rawNodes.map(nodeFromRaw),
    volumes: (rawVolumes.Volumes ?? []).map(volumeFromRaw),
    pins: rawConfigs.filter(isPin).flatMap(pinFromRaw),
    networks,
    secrets: rawSecrets.map(contentFromRaw),
    configs: rawConfigs
      .filter((raw) => !isPin(raw) && !isHold(raw) && !isLeft(raw) && !isMaintenance(raw))
      .map(contentFromRaw),
    holds: rawConfigs.filter(isHold).flatMap(holdFromRaw),
    leftBehind: rawConfigs.filter(isLeft).flatMap(leftFromRaw),
    maintenance: rawConfigs.filter(isMaintenance).flatMap(maintenanceFromRaw),
  };
}

/** The parts of the Engine API's task, node and volume objects we read. */
export interface RawTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  UpdatedAt?: string;
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string };
  };
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> | null } };
}

export interface RawNode {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Availability?: string; Role?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
}

/** A secret's or config's list entry: metadata only (Swarm never lists a secret's data). */
interface RawContent {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> | null };
}

interface RawVolume {
  Name: string;
  Labels?: Record<string, string> | null;
}

function serviceFromRaw(raw: Docker.Service, networkNames: ReadonlyMap<string, string>): ObservedService {
  const serviceName = raw.Spec?.Name ?? raw.ID;
  const labels = raw.Spec?.Labels ?? {};
  const app = labels[LABEL.managed] === "true" ? labels[LABEL.app] : undefined;
  const service: ObservedService = {
    id: raw.ID,
    name: app || serviceName,
    serviceName,
    version: raw.Version?.Index ?? 0,
    fields: fieldsFromSpec(raw.Spec, networkNames),
    rawSpec: raw.Spec,
    createdAt: raw.CreatedAt ?? "",
    updatedAt: raw.UpdatedAt ?? "",
  };
  const updateStatus = updateStatusFromRaw(raw.UpdateStatus);
  if (updateStatus) service.updateStatus = updateStatus;
  return service;
}

export function taskFromRaw(raw: RawTask): ObservedTask {
  const task: ObservedTask = {
    id: raw.ID,
    serviceId: raw.ServiceID,
    desiredState: raw.DesiredState ?? "",
    state: raw.Status?.State ?? "",
    message: raw.Status?.Message ?? "",
    timestamp: raw.Status?.Timestamp ?? raw.UpdatedAt ?? "",
  };
  if (raw.NodeID) task.nodeId = raw.NodeID;
  if (raw.Slot) task.slot = raw.Slot;
  if (raw.Status?.Err) task.error = raw.Status.Err;
  const specHash = raw.Spec?.ContainerSpec?.Labels?.[LABEL.taskHash];
  if (specHash) task.specHash = specHash;
  const containerId = raw.Status?.ContainerStatus?.ContainerID;
  if (containerId) task.containerId = containerId;
  return task;
}

export { newestTasksFirst };

const FAILED_STATES = new Set(["failed", "rejected"]);

/**
 * Swarm keeps a history of old tasks per slot. What a status needs: every task that should be
 * running, the newest task of each slot (global services: of each node), and the newest failed
 * or rejected task of each service, so its error text stays visible while Swarm retries. That
 * failed task is also what tells a rollback's failed spec (its `specHash`, see reconcile/holds.ts):
 * the rolled-back tasks are all of the failed spec, and the newest of them is kept this way.
 * The newest `complete` task of each service is kept too: a program that exits 0 when its
 * failing health check stops it ends so (see `withEndedHealth`), and Swarm's updater counts that
 * as a failure and rolls back, so that task is the failure a status and a hold must see.
 */
export function relevantTasks(tasks: ObservedTask[]): ObservedTask[] {
  const newestFirst = newestTasksFirst(tasks);
  const keep = new Set<ObservedTask>();
  const seenSlots = new Set<string>();
  const seenFailure = new Set<string>();
  const seenComplete = new Set<string>();
  for (const task of newestFirst) {
    const slot = `${task.serviceId}/${task.slot ?? `node:${task.nodeId ?? ""}`}`;
    if (task.desiredState === "running") keep.add(task);
    if (!seenSlots.has(slot)) {
      seenSlots.add(slot);
      keep.add(task);
    }
    if (FAILED_STATES.has(task.state) && !seenFailure.has(task.serviceId)) {
      seenFailure.add(task.serviceId);
      keep.add(task);
    }
    if (task.state === "complete" && !seenComplete.has(task.serviceId)) {
      seenComplete.add(task.serviceId);
      keep.add(task);
    }
  }
  return newestFirst.filter((task) => keep.has(task));
}

export function nodeFromRaw(raw: RawNode): ObservedNode {
  const node: ObservedNode = {
    id: raw.ID,
    hostname: raw.Description?.Hostname ?? "",
    state: raw.Status?.State ?? "unknown",
    availability: raw.Spec?.Availability ?? "active",
    role: raw.Spec?.Role === "manager" ? "manager" : "worker",
    labels: { ...(raw.Spec?.Labels ?? {}) },
  };
  if (raw.Status?.Addr) node.addr = raw.Status.Addr;
  return node;
}

export function networkFromRaw(raw: Docker.NetworkInspectInfo): ObservedNetwork {
  return {
    id: raw.Id,
    name: raw.Name,
    driver: raw.Driver,
    scope: raw.Scope,
    internal: raw.Internal,
    attachable: raw.Attachable,
    // Docker keeps the option as given (`--opt encrypted` stores ""); any value turns it on.
    encrypted: raw.Options?.encrypted !== undefined,
    labels: { ...(raw.Labels ?? {}) },
  };
}

function contentFromRaw(raw: RawContent): ObservedContent {
  return { id: raw.ID, name: raw.Spec?.Name ?? raw.ID, labels: { ...(raw.Spec?.Labels ?? {}) } };
}

function volumeFromRaw(raw: RawVolume): ObservedVolume {
  return { name: raw.Name, labels: { ...(raw.Labels ?? {}) } };
}

/** A pin config missing its labels, or named for another app, is not a pin: skipped. */
function pinFromRaw(raw: Docker.ConfigInfo): PinRecord[] {
  const labels = raw.Spec?.Labels ?? {};
  const app = labels[LABEL.app];
  const nodeId = labels[LABEL.pinNode];
  if (!app || !nodeId || raw.Spec?.Name !== pinConfigName(app)) return [];
  const record: PinRecord = {
    app,
    nodeId,
    hostname: labels[LABEL.pinHostname] ?? "",
    configId: raw.ID,
    version: raw.Version?.Index ?? 0,
  };
  const volumes = stringList(labels[LABEL.pinVolumes]);
  const hostPaths = stringList(labels[LABEL.pinHostPaths]);
  if (volumes && hostPaths) record.storage = { volumes, hostPaths };
  return [record];
}

/** A left-behind record missing its labels, or named for another app or node, is skipped. */
function leftFromRaw(raw: Docker.ConfigInfo): LeftRecord[] {
  const labels = raw.Spec?.Labels ?? {};
  const app = labels[LABEL.app];
  const nodeId = labels[LABEL.pinNode];
  const volumes = stringList(labels[LABEL.pinVolumes]);
  const hostPaths = stringList(labels[LABEL.pinHostPaths]);
  if (!app || !nodeId || !volumes || !hostPaths || raw.Spec?.Name !== leftConfigName(app, nodeId)) return [];
  return [
    {
      app,
      nodeId,
      hostname: labels[LABEL.pinHostname] ?? "",
      configId: raw.ID,
      storage: { volumes, hostPaths },
    },
  ];
}

/** A JSON list of strings, sorted; undefined when absent or not one (a record edited by hand). */
function stringList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...value].sort();
  } catch {
    // not JSON: as if absent, so the next apply records the storage again
  }
  return undefined;
}

const OPERATIONS: readonly MaintenanceOperation[] = ["backup", "restore", "move"];

/** A maintenance config of an unknown operation, or named for another app, is skipped. */
export function maintenanceFromRaw(raw: Docker.ConfigInfo): MaintenanceRecord[] {
  const labels = raw.Spec?.Labels ?? {};
  const app = labels[LABEL.app];
  const operation = OPERATIONS.find((o) => o === labels[LABEL.maintenance]);
  if (!app || !operation || raw.Spec?.Name !== maintenanceConfigName(app)) return [];
  const replicas = Number(labels[LABEL.maintenanceReplicas] ?? "1");
  return [
    {
      app,
      operation,
      by: labels[LABEL.maintenanceBy] ?? "",
      since: labels[LABEL.maintenanceSince] ?? "",
      replicas: Number.isInteger(replicas) && replicas >= 0 ? replicas : 1,
      ...(labels[LABEL.maintenanceTo] ? { to: labels[LABEL.maintenanceTo] } : {}),
      configId: raw.ID,
    },
  ];
}

/** A hold config missing its labels, or named for another app, is not a hold record: skipped. */
function holdFromRaw(raw: Docker.ConfigInfo): HoldRecord[] {
  const labels = raw.Spec?.Labels ?? {};
  const app = labels[LABEL.app];
  const hash = labels[LABEL.heldHash];
  if (!app || !hash || raw.Spec?.Name !== holdConfigName(app)) return [];
  const record: HoldRecord = { app, hash, reason: labels[LABEL.heldReason] ?? "", configId: raw.ID };
  if (labels[LABEL.instance]) record.instance = labels[LABEL.instance];
  return [record];
}
