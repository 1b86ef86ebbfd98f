import type Docker from "dockerode";
import { withBackupFirst } from "../maintenance/backupFirst.js";
import type { BackupFirstOptions } from "../maintenance/backupFirst.js";
import { dockerMessage, execute, isRetryable, observe } from "../swarm/index.js";
import type { SwarmPort } from "./converge.js";

/** The real Swarm behind `converge`; with `backups`, updates marked `backupFirst` are backed up first. */
export function dockerSwarmPort(docker: Docker, backups?: BackupFirstOptions): SwarmPort {
  const run = (action: Parameters<SwarmPort["execute"]>[0], observed: Parameters<SwarmPort["execute"]>[1]) =>
    execute(docker, action, observed);
  return {
    observe: () => observe(docker),
    execute: backups ? withBackupFirst(docker, run, backups) : run,
    executeResource: (action) => execute(docker, action),
    isRetryable,
    describeError: dockerMessage,
  };
}
