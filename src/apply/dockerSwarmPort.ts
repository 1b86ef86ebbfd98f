import type Docker from "dockerode";
import type { BackupFirstOptions } from "../maintenance/backupFirst.js";
import { dockerMessage, execute, isRetryable, observe } from "../swarm/index.js";
import type { SwarmPort } from "./converge.js";

/** The real Swarm behind `converge`; with `backups`, updates marked `backupFirst` are backed up first. */
export function dockerSwarmPort(docker: Docker, backups?: BackupFirstOptions): SwarmPort {
  const run = (action: Parameters<SwarmPort["execute"]>[0], observed: Parameters<SwarmPort["execute"]>[1]) =>
    execute(docker, action, observed);
  return {
    observe: () => observe(docker),
    execute: async (action, observed) => {
      // Loaded only for an update that asks for a backup: a plain apply never loads the jobs.
      if (!backups || action.kind !== "update" || !action.backupFirst) return run(action, observed);
      const { withBackupFirst } = await import("../maintenance/backupFirst.js");
      return withBackupFirst(docker, run, backups)(action, observed);
    },
    executeResource: (action) => execute(docker, action),
    isRetryable,
    describeError: dockerMessage,
  };
}
