import type { Command } from "commander";
import type { DataJobOptions } from "../maintenance/backup.js";
import { MaintenanceRefusal } from "../maintenance/target.js";
import { dockerMessage } from "../swarm/index.js";
import { helperImageOption } from "./backupFirstOptions.js";
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

/** What every data job takes from the command line: the image, the timeouts, the steps' output. */
export function jobRunOptions(app: string, options: DataJobCliOptions): Omit<DataJobOptions, "backupDir"> {
  const ms = options.timeout * 1000;
  return {
    app,
    image: options.helperImage,
    timeoutMs: ms,
    stopTimeoutMs: ms,
    startTimeoutMs: ms,
    ...(options.takeOver ? { takeOver: true } : {}),
    // Steps go to stderr so that `--output json` keeps stdout one document.
    onStep: (line) => process.stderr.write(`${line}\n`),
  };
}

export function dataJobOptions(app: string, options: DataJobCliOptions, backupDir: string): DataJobOptions {
  return {
    ...jobRunOptions(app, options),
    backupDir,
    ...(options.allowHostPath ? { allowHostPaths: options.allowHostPath } : {}),
  };
}

/** A refusal or a failed step as the command's error: what happened, never a stack trace. */
export function dataJobError(app: string, operation: string, err: unknown): ExitError {
  if (err instanceof MaintenanceRefusal) return new ExitError(1, `alacrity ${operation}: ${err.message}`);
  return new ExitError(1, `alacrity ${operation} ${app}: ${dockerMessage(err)}`);
}
