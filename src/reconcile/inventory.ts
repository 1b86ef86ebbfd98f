import { LABEL, leftConfigName, pinConfigName } from "../domain/names.js";
import type { ObservedService, ObservedState, PinRecord } from "../swarm/types.js";

/*
 * `alacrity data`: every piece of persistent data AlaCrity knows of, live or left behind, from the
 * Swarm's own state — the pin records (which record every volume and host directory an app
 * mounted on its node), the services that mount them now and, on the node of the engine
 * AlaCrity talks to, the volumes that engine has. Pure: the caller reads the Swarm.
 */

/** A shell command and where to run it: on the data's node, or against a Swarm manager. */
export interface DataCommand {
  on: "node" | "manager";
  /** The node's hostname (for `on: "node"`). */
  node?: string;
  command: string;
}

export interface DataEntry {
  app: string;
  nodeId: string;
  hostname: string;
  kind: "volume" | "host-path";
  /** The Docker volume's name, or the host directory. */
  name: string;
  /** A managed service of the app exists. */
  appExists: boolean;
  /** That service mounts this volume or directory now. */
  inUse: boolean;
  /** The node is in the Swarm, and its state (`ready`, `down`, ...), or absent when it left. */
  nodeState?: string;
  /** Bytes, where the engine of the node could say (a volume on the engine AlaCrity talks to). */
  sizeBytes?: number;
  /** What deletes it, for data no service mounts any more; the first run on its node. */
  deleteCommands?: DataCommand[];
}

export interface DataInventory {
  entries: DataEntry[];
  /** Pins of removed apps whose data is all gone: the command that releases each. */
  releases: { app: string; hostname: string; command: DataCommand }[];
}

/** Whether an entry is still used, in the words `data` and the web view show. */
export function dataUse(e: DataEntry): string {
  if (!e.appExists) return "removed: left behind";
  return e.inUse ? "in use" : "left behind (no longer mounted)";
}

/** Where a command runs: `on node-2`, or `on a manager`. */
export const commandPlace = (c: DataCommand): string =>
  c.on === "node" ? `on ${c.node ?? "its node"}` : "on a manager";

export interface InventoryInput {
  observed: Pick<ObservedState, "pins" | "services" | "nodes" | "volumes" | "leftBehind">;
  /** The Swarm node of the engine whose volumes `observed.volumes` lists, when known. */
  engineNodeId?: string;
  /** Sizes of that engine's volumes, by name (`docker system df`), when read. */
  volumeSizes?: ReadonlyMap<string, number>;
}

/** The inventory, sorted by app, then node hostname, then kind and name. */
export function inventory(input: InventoryInput): DataInventory {
  const { observed } = input;
  const services = servicesByApp(observed.services);
  const nodes = new Map(observed.nodes.map((n) => [n.id, n]));
  const engineVolumes = new Set(observed.volumes.map((v) => v.name));
  const pinnedOn = new Map(observed.pins.map((p) => [p.app, p.nodeId]));
  const sources: Source[] = [];
  for (const pin of observed.pins) {
    const service = services.get(pin.app);
    const mounted = mountsOf(service, pin);
    const volumes = new Set([...(pin.storage?.volumes ?? []), ...mounted.volumes]);
    // A record older than storage recording: the engine's volumes labelled with the app say more.
    if (pin.nodeId === input.engineNodeId)
      for (const v of observed.volumes) if (v.labels[LABEL.app] === pin.app) volumes.add(v.name);
    sources.push({
      ...pin,
      volumes,
      hostPaths: new Set([...(pin.storage?.hostPaths ?? []), ...mounted.hostPaths]),
      mounted,
      appExists: service !== undefined,
      // The pin of a removed app is released once its data is deleted; a live app keeps it.
      ...(service ? {} : { release: `docker config rm ${pinConfigName(pin.app)}` }),
    });
  }
  for (const left of observed.leftBehind ?? []) {
    // Back on that node, the app's pin covers what it has there.
    if (pinnedOn.get(left.app) === left.nodeId) continue;
    sources.push({
      ...left,
      volumes: new Set(left.storage.volumes),
      hostPaths: new Set(left.storage.hostPaths),
      mounted: { volumes: new Set(), hostPaths: new Set() },
      appExists: services.has(left.app),
      release: `docker config rm ${leftConfigName(left.app, left.nodeId)}`,
    });
  }
  const entries: DataEntry[] = [];
  const releases: DataInventory["releases"] = [];
  for (const source of sources.sort(byAppThenNode)) {
    const node = nodes.get(source.nodeId);
    const base = {
      app: source.app,
      nodeId: source.nodeId,
      hostname: source.hostname || source.nodeId,
      appExists: source.appExists,
      ...(node ? { nodeState: node.state } : {}),
    };
    const onEngine = input.engineNodeId !== undefined && source.nodeId === input.engineNodeId;
    const own: DataEntry[] = [];
    for (const name of [...source.volumes].sort()) {
      const inUse = source.mounted.volumes.has(name);
      // On the engine's node, a volume that engine does not have is gone (or never made): only
      // a mounted one is listed, since Swarm creates it when the task starts.
      if (onEngine && !engineVolumes.has(name) && !inUse) continue;
      const size = onEngine ? input.volumeSizes?.get(name) : undefined;
      own.push({
        ...base,
        kind: "volume",
        name,
        inUse,
        ...(size !== undefined && size >= 0 ? { sizeBytes: size } : {}),
        ...(inUse ? {} : { deleteCommands: [onNode(base.hostname, `docker volume rm ${shellWord(name)}`)] }),
      });
    }
    for (const path of [...source.hostPaths].sort()) {
      const inUse = source.mounted.hostPaths.has(path);
      own.push({
        ...base,
        kind: "host-path",
        name: path,
        inUse,
        ...(inUse ? {} : { deleteCommands: [onNode(base.hostname, `rm -rf -- ${shellWord(path)}`)] }),
      });
    }
    if (source.release !== undefined) {
      // The last entry carries the record's release, after its data's deletion.
      const release: DataCommand = { on: "manager", command: source.release };
      const last = own.at(-1);
      if (last) last.deleteCommands = [...(last.deleteCommands ?? []), release];
      else releases.push({ app: source.app, hostname: base.hostname, command: release });
    }
    entries.push(...own);
  }
  return { entries, releases };
}

/** One record of storage on one node: a pin, or what an app left where it was moved from. */
interface Source {
  app: string;
  nodeId: string;
  hostname: string;
  volumes: Set<string>;
  hostPaths: Set<string>;
  mounted: { volumes: Set<string>; hostPaths: Set<string> };
  appExists: boolean;
  /** The command that deletes the record itself, when its data may go. */
  release?: string;
}

/** The managed service of each app (any AlaCrity instance: data is not an instance's). */
function servicesByApp(services: readonly ObservedService[]): Map<string, ObservedService> {
  const byApp = new Map<string, ObservedService>();
  for (const s of services) if (s.fields.labels[LABEL.managed] === "true") byApp.set(s.name, s);
  return byApp;
}

/** What the app's service mounts now, when it runs on the pin's node. */
function mountsOf(
  service: ObservedService | undefined,
  pin: PinRecord,
): { volumes: Set<string>; hostPaths: Set<string> } {
  const volumes = new Set<string>();
  const hostPaths = new Set<string>();
  if (service && service.fields.labels[LABEL.pinNode] === pin.nodeId) {
    for (const m of service.fields.mounts) (m.kind === "named" ? volumes : hostPaths).add(m.source);
  }
  return { volumes, hostPaths };
}

const onNode = (node: string, command: string): DataCommand => ({ on: "node", node, command });

/** A word the shell reads as itself: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function byAppThenNode(a: Source, b: Source): number {
  const key = (x: Source): string[] => [x.app, x.hostname || x.nodeId, x.nodeId];
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] ?? "") < (kb[i] ?? "") ? -1 : 1;
  return 0;
}
