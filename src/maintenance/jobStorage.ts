import type Docker from "dockerode";
import { JOB_DONE } from "../swarm/oneShotJob.js";
import type { JobResult } from "../swarm/oneShotJob.js";
import { appVolumeOptions } from "../swarm/serviceSpec.js";
import type { MaintenanceTarget } from "./target.js";

export const DATA = "/alacrity/data";

/**
 * Where each piece of storage appears inside a job's container and in an archive: a volume under
 * `volumes/NAME`, a host directory under `paths/ITS/PATH`. The archive's `alacrity-index` lists
 * them, one `volume NAME` or `path /ITS/PATH` line each, so a restore knows what it holds.
 */
const memberOf = (kind: "volume" | "path", source: string): string =>
  kind === "volume" ? `volumes/${source}` : `paths${source}`;

export function indexOf(target: MaintenanceTarget): string {
  return [
    ...target.storage.volumes.map((v) => `volume ${v}`),
    ...target.storage.hostPaths.map((p) => `path ${p}`),
  ].join("\n");
}

export function dataMounts(target: MaintenanceTarget, readOnly: boolean): Docker.MountSettings[] {
  return [
    ...target.storage.volumes.map((v) => ({
      Type: "volume" as const,
      Source: v,
      Target: `${DATA}/${memberOf("volume", v)}`,
      ReadOnly: readOnly,
      // A volume missing on the node (a move's new one) is created as the app's service would.
      VolumeOptions: appVolumeOptions(target.app),
    })),
    ...target.storage.hostPaths.map((p) => ({
      Type: "bind" as const,
      Source: p,
      Target: `${DATA}/${memberOf("path", p)}`,
      ReadOnly: readOnly,
    })),
  ];
}

/** What went wrong in a job, in the script's words where it said any, with the fix for the usual causes. */
export function jobFailure(
  what: string,
  target: Pick<MaintenanceTarget, "app" | "hostname">,
  image: string,
  result: JobResult,
  backupDir?: string,
): Error {
  const said = result.output
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.includes(JOB_DONE))
    .slice(-3)
    .join("; ");
  const swarm = result.error ? `Swarm: ${result.error}` : `its task ended ${result.state}`;
  let hint = "";
  if (/bind source path does not exist/.test(result.error)) {
    hint =
      backupDir !== undefined && result.error.includes(backupDir)
        ? `; create ${backupDir} on ${target.hostname} first`
        : `; a host directory of ${target.app} is missing on ${target.hostname}`;
  } else if (/No such image|image.*not found|pull access denied|manifest unknown/i.test(result.error)) {
    hint = `; the helper image ${image} is not on ${target.hostname}: load it there or name another with --helper-image`;
  }
  return new Error(
    `the ${what} job of ${target.app} on ${target.hostname} failed (${swarm}${said ? `; ${said}` : ""})${hint}`,
  );
}
