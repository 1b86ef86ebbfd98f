import { Option } from "commander";
import type { Command } from "commander";
import type { BackupFirstOptions } from "../maintenance/backupFirst.js";
import { DEFAULT_HELPER_IMAGE } from "../maintenance/helperImage.js";

/** `--backup-dir` as `backup` takes it: on the app's node, allowed by the host-path policy. */
export const backupDirOption = (): Option =>
  new Option(
    "--backup-dir <dir>",
    "the directory on the app's node archives go to (it must exist there and be allowed by --allow-host-path)",
  ).env("ALACRITY_BACKUP_DIR");

export const helperImageOption = (): Option =>
  new Option(
    "--helper-image <image>",
    "the image of the one-shot jobs that copy the data (a shell with tar, gzip, sha256sum, find, cp); it must be on the app's node or pullable there",
  )
    .env("ALACRITY_HELPER_IMAGE")
    .default(DEFAULT_HELPER_IMAGE);

/** `--backup-dir` and `--helper-image` on `apply` and `run`, for `alacrity.dev/backup-before-update`. */
export function addBackupFirstOptions(command: Command): Command {
  return command.addOption(backupDirOption()).addOption(helperImageOption());
}

/** How `apply` and `run` back up an app before an update that asks for it. */
export function backupFirstOptions(
  options: { backupDir?: string; helperImage: string; allowHostPath?: string[] },
  onStep: (line: string) => void,
): BackupFirstOptions {
  const ms = BACKUP_FIRST_TIMEOUT_S * 1000;
  return {
    image: options.helperImage,
    ...(options.backupDir !== undefined ? { backupDir: options.backupDir } : {}),
    timeoutMs: ms,
    stopTimeoutMs: ms,
    startTimeoutMs: ms,
    ...(options.allowHostPath ? { allowHostPaths: options.allowHostPath } : {}),
    onStep,
  };
}

/** Each step of a backup before an update (stop, archive, start) may take this long. */
const BACKUP_FIRST_TIMEOUT_S = 600;
