import type { Command } from "commander";
import { restoreApp } from "../maintenance/restore.js";
import { splitArchivePath } from "../maintenance/restore.js";
import { printJson } from "./commonOptions.js";
import { addDataJobOptions, dataJobError, dataJobOptions } from "./dataJobOptions.js";
import type { DataJobCliOptions } from "./dataJobOptions.js";
import { ExitError } from "./exitError.js";
import { openDocker } from "./swarmSession.js";

export function registerRestoreCommand(program: Command): void {
  const command = program
    .command("restore")
    .argument("<app>", "the persistent app")
    .argument("<archive>", "the archive's path on the app's node, as alacrity backup printed it")
    .description(
      "puts an archive of alacrity backup back into the app's own volumes and host directories, the app stopped meanwhile; the data as it was is archived first",
    )
    .addHelpText(
      "after",
      "\nRefused before anything stops when a task of the app runs on another node than its pin's; refused by the job, before anything is changed, when the archive does not match its checksum or holds a volume or directory that is not this app's.\n\nExit status: 0 restored and running again; 1 refused, failed, or restored but not running again.\n\nExamples:\n  alacrity restore db /srv/backups/db--20261203T114501Z.tar.gz",
    );
  addDataJobOptions(command).action(async (app: string, archive: string, options: DataJobCliOptions) => {
    let result;
    try {
      const { backupDir } = splitArchivePath(archive);
      result = await restoreApp(openDocker(), { ...dataJobOptions(app, options, backupDir), archive });
    } catch (err) {
      throw dataJobError(app, "restore", err);
    }
    if (options.output === "json") printJson(result);
    else {
      process.stdout.write(
        `Restored ${app} from ${archive}; the data as it was is in ${result.safetyCopy.path} (${result.safetyCopy.bytes} bytes); out of service ${(result.downtimeMs / 1000).toFixed(1)} s.\n`,
      );
    }
    if (result.startProblem !== undefined)
      throw new ExitError(1, `alacrity restore ${app}: ${result.startProblem}`);
  });
}
