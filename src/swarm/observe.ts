import type Docker from "dockerode";
import { toDockerError } from "./errors.js";
import { fieldsFromSpec } from "./serviceFields.js";
import { updateStatusFromRaw } from "./updateStatus.js";
import { LABEL, pinConfigName } from "../domain/names.js";
import type {
  ObservedContent,
  ObservedNetwork,
  ObservedNode,
  ObservedService,
  ObservedState,
  ObservedTask,
  ObservedVolume,
  PinRecord,
} from "./types.js";

/**
 * Reads the whole observed state in seven list calls made at once (services, tasks, nodes,
 * volumes, configs, networks, secrets) and never inspects a single object: the cost of a resync
 * does not grow with the number of apps in API round trips. One config list serves both the pin
 * records and the configs apps mount (external ones included).
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
  return {
    services,
    tasks: relevantTasks(rawTasks.map(taskFromRaw).filter((task) => serviceIds.has(task.serviceId))),
    nodes: rawNodes.map(nodeFromRaw),
    volumes: (rawVolumes.Volumes ?? []).map(volumeFromRaw),
    pins: rawConfigs.filter(isPin).flatMap(pinFromRaw),
    networks,
    secrets: rawSecrets.map(contentFromRaw),
    configs: rawConfigs.filter((raw) => !isPin(raw)).map(contentFromRaw),
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
  const service: ObservedService = {
    id: raw.ID,
    name: raw.Spec?.Name ?? raw.ID,
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
  if (raw.Status?.ContainerStatus?.ContainerID) task.containerId = raw.Status.ContainerStatus.ContainerID;
  return task;
}

/** Sorts by Swarm's RFC 3339 nanosecond timestamps; their fractions vary in length, hence the padding. */
export function newestTasksFirst<T extends { timestamp: string }>(tasks: readonly T[]): T[] {
  const key = (ts: string): string =>
    ts.replace(
      /(\d{2}:\d{2}:\d{2})(?:\.(\d+))?/,
      (_m, hms: string, frac?: string) => `${hms}.${(frac ?? "").padEnd(9, "0")}`,
    );
  return [...tasks].sort((a, b) => {
    const ka = key(a.timestamp);
    const kb = key(b.timestamp);
    return ka < kb ? 1 : ka > kb ? -1 : 0;
  });
}

const FAILED_STATES = new Set(["failed", "rejected"]);

/**
 * Swarm keeps a history of old tasks per slot. What a status needs: every task that should be
 * running, the newest task of each slot (global services: of each node), and the newest failed
 * or rejected task of each service, so its error text stays visible while Swarm retries.
 */
export function relevantTasks(tasks: ObservedTask[]): ObservedTask[] {
  const newestFirst = newestTasksFirst(tasks);
  const keep = new Set<ObservedTask>();
  const seenSlots = new Set<string>();
  const seenFailure = new Set<string>();
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
  return [{ app, nodeId, hostname: labels[LABEL.pinHostname] ?? "", configId: raw.ID }];
}
