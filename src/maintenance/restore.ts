import { posix } from "node:path";
import type Docker from "dockerode";
import { systemClock } from "../domain/clock.js";
import { archiveName, archiveStorage, restoreStorage } from "./archiveJobs.js";
import type { Archive } from "./archiveJobs.js";
import { describeStorage, prepare } from "./backup.js";
import type { DataJobOptions } from "./backup.js";
import { whileStopped } from "./stoppedApp.js";
import { MaintenanceRefusal, tasksElsewhere } from "./target.js";

export interface RestoreOptions extends Omit<DataJobOptions, "backupDir"> {
  /** The archive's absolute path on the app's node, as `alacrity backup` printed it. */
  archive: string;
}

export interface RestoreResult {
  app: string;
  restored: string;
  /** The data as it was before the restore, archived first beside the restored archive. */
  safetyCopy: Archive;
  resumed: boolean;
  downtimeMs: number;
  startProblem?: string;
}

/** `/srv/backups/db--….tar.gz` → its directory (bound into the job) and its file name. */
export function splitArchivePath(path: string): { backupDir: string; name: string } {
  const normal = posix.normalize(path);
  if (!posix.isAbsolute(path) || normal !== path || path.endsWith("/")) {
    throw new MaintenanceRefusal(
      `the archive must be given by its absolute path on the app's node, as alacrity backup printed it (such as /srv/backups/db--20261203T114501Z.tar.gz), got ${JSON.stringify(path)}`,
    );
  }
  return { backupDir: posix.dirname(path), name: posix.basename(path) };
}

/**
 * Puts an archive made by `alacrity backup` back into the app's own volumes and host
 * directories, the app stopped meanwhile. Refused while a task of the app runs on another node
 * than its pin's, and (in the job, before anything is touched) when the archive fails its
 * checksum or holds storage that is not this app's. The data as it was is archived first.
 */
export async function restoreApp(docker: Docker, options: RestoreOptions): Promise<RestoreResult> {
  const { backupDir, name } = splitArchivePath(options.archive);
  const jobOptions = { ...options, backupDir };
  const { observed, target } = await prepare(docker, jobOptions);
  const elsewhere = tasksElsewhere(observed, target);
  if (elsewhere.length > 0) {
    throw new MaintenanceRefusal(
      `${target.app} has a task on node ${elsewhere[0]}, not on its pinned node ${target.hostname}: restoring now could give two copies of its data; fix its placement first (alacrity status)`,
    );
  }
  const clock = options.clock ?? systemClock;
  const began = clock.now();
  const done = await whileStopped(
    docker,
    observed,
    target,
    { ...options, operation: "restore" },
    async () => {
      const safety = await archiveStorage(
        docker,
        target,
        jobOptions,
        archiveName(target.app, new Date(clock.now()), "--before-restore"),
      );
      options.onStep?.(`archived the data as it was first: ${safety.path} (${safety.bytes} bytes)`);
      await restoreStorage(docker, target, jobOptions, name);
      options.onStep?.(
        `restored ${options.archive} into ${describeStorage(target)} of ${target.app} on ${target.hostname}`,
      );
      return safety;
    },
  );
  return {
    app: target.app,
    restored: options.archive,
    safetyCopy: done.result,
    resumed: done.resumed,
    downtimeMs: target.service ? clock.now() - began : 0,
    ...(done.startProblem !== undefined ? { startProblem: done.startProblem } : {}),
  };
}
