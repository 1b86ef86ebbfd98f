import type Docker from "dockerode";
import type { Action } from "../reconcile/types.js";
import { DockerError } from "../swarm/errors.js";
import type { ObservedState } from "../swarm/types.js";
import { backupApp } from "./backup.js";
import type { DataJobOptions } from "./backup.js";

type Execute = (action: Action, observed: ObservedState) => Promise<void>;

/** What `apply` and `run` need to back an app up before its update (`--backup-dir` and the rest). */
export type BackupFirstOptions = Omit<DataJobOptions, "app" | "backupDir"> & { backupDir?: string };

/**
 * `execute`, with the backup an update marked `backupFirst` asks for made first: the app's data
 * is archived as `alacrity backup` does (the app stopped, archived, started again), then the
 * update is made against the service's version after that. A backup that cannot be made stops
 * the update, with the reason: the user asked not to update without one.
 */
export function withBackupFirst(docker: Docker, execute: Execute, options: BackupFirstOptions): Execute {
  return async (action, observed) => {
    if (action.kind !== "update" || !action.backupFirst) return execute(action, observed);
    const { backupDir } = options;
    if (backupDir === undefined) {
      throw new DockerError(
        `${action.app} asks for a backup before its update (alacrity.dev/backup-before-update) but no backup directory is set: give --backup-dir (or ALACRITY_BACKUP_DIR); the update was not made`,
        { retryable: false },
      );
    }
    let archived;
    try {
      archived = await backupApp(docker, { ...options, app: action.app, backupDir });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DockerError(
        `the backup before the update of ${action.app} failed: ${why}; the update was not made`,
        {
          retryable: false,
          cause: err,
        },
      );
    }
    options.onStep?.(
      `${action.app}: backed up before its update: ${archived.archive.path} (${archived.archive.bytes} bytes)`,
    );
    const current = (await docker.getService(action.serviceId).inspect()) as { Version?: { Index?: number } };
    await execute({ ...action, version: current.Version?.Index ?? action.version }, observed);
  };
}
