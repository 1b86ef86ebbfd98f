import type Docker from "dockerode";
import { systemClock } from "../domain/clock.js";
import { DEFAULT_HOST_PATH_ROOTS, hostPathProblem } from "../rules/hostPaths.js";
import { observe } from "../swarm/observe.js";
import type { ObservedState } from "../swarm/types.js";
import { archiveName, archiveStorage } from "./archiveJobs.js";
import type { Archive, JobOptions } from "./archiveJobs.js";
import { whileStopped } from "./stoppedApp.js";
import type { Stopped, StoppedOptions } from "./stoppedApp.js";
import { findTarget, MaintenanceRefusal } from "./target.js";
import type { MaintenanceTarget } from "./target.js";

export interface DataJobOptions extends JobOptions, Omit<StoppedOptions, "operation"> {
  app: string;
  /** The host-path policy's allowed roots (`--allow-host-path`); undefined: the defaults. */
  allowHostPaths?: readonly string[];
}

export interface BackupResult extends Omit<Stopped<Archive>, "result"> {
  app: string;
  archive: Archive;
  /** How long the app was out of service, in milliseconds (0 for a removed app). */
  downtimeMs: number;
}

/** The backup directory must be one the host-path policy lets an app bind: it is bound likewise. */
export function checkBackupDir(dir: string, roots: readonly string[] | undefined): void {
  const problem = hostPathProblem(dir, roots ?? DEFAULT_HOST_PATH_ROOTS);
  if (problem !== undefined) throw new MaintenanceRefusal(`--backup-dir ${dir}: ${problem}`);
}

/** Finds the app on the Swarm and checks what every data operation needs, before anything stops. */
export async function prepare(
  docker: Docker,
  options: DataJobOptions,
): Promise<{ observed: ObservedState; target: MaintenanceTarget }> {
  checkBackupDir(options.backupDir, options.allowHostPaths);
  const observed = await observe(docker);
  return { observed, target: findTarget(observed, options.app) };
}

/**
 * A consistent copy of a persistent app's data: the app is stopped, its volumes and host
 * directories are archived on its node by a one-shot job into `backupDir`, and it is started
 * again, also when the archive fails.
 */
export async function backupApp(docker: Docker, options: DataJobOptions): Promise<BackupResult> {
  const { observed, target } = await prepare(docker, options);
  const clock = options.clock ?? systemClock;
  const began = clock.now();
  const name = archiveName(target.app, new Date(clock.now()));
  const done = await whileStopped(docker, observed, target, { ...options, operation: "backup" }, async () => {
    const archive = await archiveStorage(docker, target, options, name);
    options.onStep?.(
      `archived ${describeStorage(target)} of ${target.app} on ${target.hostname}: ${archive.path} (${archive.bytes} bytes, sha256 ${archive.sha256})`,
    );
    return archive;
  });
  return {
    app: target.app,
    archive: done.result,
    resumed: done.resumed,
    downtimeMs: target.service ? clock.now() - began : 0,
    ...(done.startProblem !== undefined ? { startProblem: done.startProblem } : {}),
  };
}

export function describeStorage(target: MaintenanceTarget): string {
  const { volumes, hostPaths } = target.storage;
  const parts = [
    ...(volumes.length ? [`${volumes.length} volume(s) (${volumes.join(", ")})`] : []),
    ...(hostPaths.length ? [`${hostPaths.length} host directory(ies) (${hostPaths.join(", ")})`] : []),
  ];
  return parts.join(" and ");
}
