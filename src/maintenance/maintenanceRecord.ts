import { hostname } from "node:os";
import type Docker from "dockerode";
import { LABEL, maintenanceConfigName } from "../domain/names.js";
import { setConfigLabels } from "../swarm/configLabels.js";
import { statusCodeOf, toDockerError } from "../swarm/errors.js";
import type { MaintenanceOperation, MaintenanceRecord, ObservedState } from "../swarm/types.js";
import { MaintenanceRefusal } from "./target.js";

export interface TakeOptions {
  app: string;
  operation: MaintenanceOperation;
  /** The replicas the app runs with now, to start it again with. */
  replicas: number;
  /** Take over a record written on another machine, whose command cannot be seen from here. */
  takeOver?: boolean;
  /** When the operation begins (the record says since when the app is stopped). */
  since: Date;
  /** For a move: the node it goes to (a rerun must name the same one). */
  to?: { nodeId: string; hostname: string };
}

export interface Taken {
  record: MaintenanceRecord;
  /** An earlier run of the same operation was found dead and is being finished. */
  resumed: boolean;
}

/** `<hostname> <pid>` of this process: who holds a record. */
export const holderName = (): string => `${hostname()} ${process.pid}`;

/**
 * Writes the app's maintenance record before anything is stopped: every controller then leaves the
 * app alone, and a second command is refused. A record left by a run of the same operation that
 * died (its process is gone from this machine, or `takeOver`) is taken over, keeping the replica
 * count it recorded: that run had already stopped the app.
 */
export async function takeMaintenance(
  docker: Docker,
  observed: ObservedState,
  options: TakeOptions,
): Promise<Taken> {
  const { app, operation } = options;
  const existing = observed.maintenance?.find((r) => r.app === app);
  const by = holderName();
  const since = options.since.toISOString();
  if (existing) {
    refuseUnlessDead(existing, options);
    try {
      await setConfigLabels(docker, existing.configId, { [LABEL.maintenanceBy]: by });
    } catch (err) {
      throw toDockerError(err, `cannot take over the maintenance record of ${app}`);
    }
    return { record: { ...existing, by }, resumed: true };
  }
  try {
    const created: unknown = await docker.createConfig({
      Name: maintenanceConfigName(app),
      Labels: {
        [LABEL.managed]: "true",
        [LABEL.app]: app,
        [LABEL.maintenance]: operation,
        [LABEL.maintenanceBy]: by,
        [LABEL.maintenanceSince]: since,
        [LABEL.maintenanceReplicas]: String(options.replicas),
        ...(options.to ? { [LABEL.maintenanceTo]: options.to.nodeId } : {}),
      },
      Data: Buffer.from(JSON.stringify({ app, operation, by, since })).toString("base64"),
    });
    const configId = (created as { id?: string }).id ?? "";
    const to = options.to ? { to: options.to.nodeId } : {};
    return {
      record: { app, operation, by, since, replicas: options.replicas, ...to, configId },
      resumed: false,
    };
  } catch (err) {
    if (statusCodeOf(err) === 409)
      throw new MaintenanceRefusal(`another command has just begun a backup, restore or move of ${app}`);
    throw toDockerError(err, `cannot record the ${operation} of ${app}`);
  }
}

function refuseUnlessDead(existing: MaintenanceRecord, options: TakeOptions): void {
  const { app, operation } = options;
  const since = existing.since ? ` since ${existing.since}` : "";
  if (existing.operation !== operation) {
    throw new MaintenanceRefusal(
      `${app} is stopped by an unfinished ${existing.operation} (${existing.by}${since}): run \`alacrity ${existing.operation} ${app}\` again to finish it first`,
    );
  }
  if (existing.to !== undefined && options.to && existing.to !== options.to.nodeId) {
    throw new MaintenanceRefusal(
      `${app} is stopped by an unfinished move to another node (${existing.to}, ${existing.by}${since}): run \`alacrity move ${app} --to ${existing.to}\` again to finish it first`,
    );
  }
  const [host, pidText] = existing.by.split(" ");
  const pid = Number(pidText);
  const here = host === hostname();
  if (here && pid !== process.pid && isAlive(pid)) {
    throw new MaintenanceRefusal(`${app}: a ${operation} is already running (${existing.by}${since})`);
  }
  if (!here && !options.takeOver) {
    throw new MaintenanceRefusal(
      `${app}: a ${operation} begun on ${host ?? "another machine"}${since} has not finished; if that command is no longer running, run this one again with --take-over`,
    );
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the record once the app runs again: controllers manage it again from then on. */
export async function releaseMaintenance(docker: Docker, record: MaintenanceRecord): Promise<void> {
  try {
    await docker.getConfig(record.configId).remove();
  } catch (err) {
    if (statusCodeOf(err) !== 404)
      throw toDockerError(err, `cannot remove the maintenance record of ${record.app}`);
  }
}
