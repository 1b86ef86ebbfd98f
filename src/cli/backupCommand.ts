import type { Command } from "commander";
import { backupApp } from "../maintenance/backup.js";
import { printJson } from "./commonOptions.js";
import { backupDirOption } from "./backupFirstOptions.js";
import { addDataJobOptions, dataJobError, dataJobOptions } from "./dataJobOptions.js";
import type { DataJobCliOptions } from "./dataJobOptions.js";
import { ExitError } from "./exitError.js";
import { openDocker } from "./swarmSession.js";

interface BackupCliOptions extends DataJobCliOptions {
  backupDir: string;
}

export function registerBackupCommand(program: Command): void {
  const command = program
    .command("backup")
    .argument("<app>", "the persistent app")
    .description(
      "a consistent copy of a persistent app's data: stops it, archives its volumes and host directories on its node, starts it again",
    )
    .addOption(backupDirOption().makeOptionMandatory())
    .addHelpText(
      "after",
      "\nThe archive is named APP--TIME.tar.gz, with its checksum in APP--TIME.tar.gz.sha256 beside it; alacrity restore puts it back. The app is started again also when the archive fails.\n\nExit status: 0 archived and running again; 1 refused, failed, or archived but not running again.\n\nExamples:\n  alacrity backup db --backup-dir /srv/backups\n  ALACRITY_BACKUP_DIR=/srv/backups alacrity backup db --output json",
    );
  addDataJobOptions(command).action(async (app: string, options: BackupCliOptions) => {
    let result;
    try {
      result = await backupApp(openDocker(), dataJobOptions(app, options, options.backupDir));
    } catch (err) {
      throw dataJobError(app, "backup", err);
    }
    if (options.output === "json") printJson(result);
    else {
      const { archive } = result;
      process.stdout.write(
        `Backed up ${app} on ${archive.hostname}: ${archive.path} (${archive.bytes} bytes, sha256 ${archive.sha256}); out of service ${(result.downtimeMs / 1000).toFixed(1)} s.\n`,
      );
    }
    if (result.startProblem !== undefined)
      throw new ExitError(1, `alacrity backup ${app}: ${result.startProblem}`);
  });
}
