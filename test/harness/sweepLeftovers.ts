import Dockerode from "dockerode";

import { MULTINODE_LABEL_FILTER, OWNER_PID_LABEL_KEY } from "./labels.js";

/** What {@link sweepLeftovers} removed, by kind. */
export interface SweepReport {
  containers: string[];
  networks: string[];
  volumes: string[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A resource is a leftover when the process that made it has gone (or never said who it was). */
function isLeftover(labels: Record<string, string> | undefined): boolean {
  const pid = Number(labels?.[OWNER_PID_LABEL_KEY]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  return pid !== process.pid && !isAlive(pid);
}

/**
 * Removes the containers, networks and volumes labelled `alacrity.test=multinode` that an aborted
 * earlier run left on the host engine. Resources of a run that is still going (its process is
 * alive, e.g. another test file on this machine) are left alone.
 */
export async function sweepLeftovers(host: Dockerode = new Dockerode()): Promise<SweepReport> {
  const filters = JSON.stringify({ label: [MULTINODE_LABEL_FILTER] });
  const report: SweepReport = { containers: [], networks: [], volumes: [] };

  const containers = await host.listContainers({ all: true, filters });
  for (const info of containers.filter((c) => isLeftover(c.Labels))) {
    await host.getContainer(info.Id).remove({ force: true, v: true });
    report.containers.push(info.Names[0] ?? info.Id);
  }
  const networks = await host.listNetworks({ filters });
  for (const info of networks.filter((n) => isLeftover(n.Labels))) {
    await host.getNetwork(info.Id).remove();
    report.networks.push(info.Name);
  }
  const { Volumes: volumes } = await host.listVolumes({ filters });
  for (const info of (volumes ?? []).filter((v) => isLeftover(v.Labels ?? undefined))) {
    await host.getVolume(info.Name).remove();
    report.volumes.push(info.Name);
  }
  return report;
}
