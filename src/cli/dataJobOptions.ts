import { Option } from "commander";
import type { Command } from "commander";
import { DEFAULT_HELPER_IMAGE } from "../maintenance/archiveJobs.js";
import type { DataJobOptions } from "../maintenance/backup.js";
import type { BackupFirstOptions } from "../maintenance/backupFirst.js";
import { MaintenanceRefusal } from "../maintenance/target.js";
import { dockerMessage } from "../swarm/index.js";
import { addAllowHostPathOption, addOutputOption, positiveNumber } from "./commonOptions.js";
import { ExitError } from "./exitError.js";

/** The options `backup`, `restore` and `move` share, as commander gives them. */
export interface DataJobCliOptions {
  helperImage: string;
  timeout: number;
  takeOver?: boolean;
  allowHostPath?: string[];
  output: "text" | "json";
}

/** `--helper-image`, `--timeout`, `--take-over`, `--allow-host-path` and `--output`. */
export function addDataJobOptions(command: Command): Command {
  command
    .addOption(helperImageOption())
    .option(
      "--timeout <seconds>",
      "how long each step (stopping the app, a copy job, starting it again) may take",
      positiveNumber("--timeout", true),
      600,
    )
    .option(
      "--take-over",
      "finish an operation on this app that a command on another machine began and did not end",
    );
  return addOutputOption(addAllowHostPathOption(command));
}

export function dataJobOptions(app: string, options: DataJobCliOptions, backupDir: string): DataJobOptions {
  const ms = options.timeout * 1000;
  return {
    app,
    image: options.helperImage,
    backupDir,
    timeoutMs: ms,
    stopTimeoutMs: ms,
    startTimeoutMs: ms,
    ...(options.takeOver ? { takeOver: true } : {}),
    ...(options.allowHostPath ? { allowHostPaths: options.allowHostPath } : {}),
    // Steps go to stderr so that `--output json` keeps stdout one document.
    onStep: (line) => process.stderr.write(`${line}\n`),
  };
}

/** `--backup-dir` as `backup` takes it: on the app's node, allowed by the host-path policy. */
export const backupDirOption = (): Option =>
  new Option(
    "--backup-dir <dir>",
    "the directory on the app's node archives go to (it must exist there and be allowed by --allow-host-path)",
  ).env("ALACRITY_BACKUP_DIR");

const helperImageOption = (): Option =>
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

/** A refusal or a failed step as the command's error: what happened, never a stack trace. */
export function dataJobError(app: string, operation: string, err: unknown): ExitError {
  if (err instanceof MaintenanceRefusal) return new ExitError(1, `alacrity ${operation}: ${err.message}`);
  return new ExitError(1, `alacrity ${operation} ${app}: ${dockerMessage(err)}`);
}
