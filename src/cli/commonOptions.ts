import { Option } from "commander";
import type { Command } from "commander";
import type { PlanOptions } from "../reconcile/types.js";
import { DEFAULT_INSTANCE } from "../reconcile/managed.js";
import { ExitError } from "./exitError.js";

export interface DirOptions {
  dir?: string;
  instance: string;
  allowHostPath: string[];
}

/** The planner's options from the command line; removal guards stay on unless a command lifts them. */
export function planOptionsOf(
  options: DirOptions,
  guards: { allowEmpty?: boolean; allowMassPrune?: boolean } = {},
): PlanOptions {
  return {
    instance: options.instance,
    allowEmpty: guards.allowEmpty ?? false,
    allowMassPrune: guards.allowMassPrune ?? false,
    allowHostPaths: options.allowHostPath,
  };
}

/** `--dir` (default `$ALACRITY_DIR`) and `--instance` (default `$ALACRITY_INSTANCE` or `default`). */
export function addDirOptions(command: Command, required: boolean): Command {
  return command
    .addOption(
      new Option("-d, --dir <dir>", `apps directory${required ? "" : " (optional here)"}`).env(
        "ALACRITY_DIR",
      ),
    )
    .addOption(
      new Option("--instance <name>", "which AlaCrity instance's services to manage")
        .env("ALACRITY_INSTANCE")
        .default(DEFAULT_INSTANCE),
    )
    .addOption(
      new Option(
        "--allow-host-path <prefix>",
        "allow manifests to bind host paths under PREFIX even inside /etc, /var/lib/docker, ... (repeatable)",
      )
        .argParser((value: string, previous: string[] = []) => [...previous, value])
        .default([] as string[]),
    );
}

export function requireDir(options: DirOptions): string {
  if (!options.dir) throw new ExitError(1, "alacrity: no apps directory: pass --dir DIR or set ALACRITY_DIR");
  return options.dir;
}

/** Parses a number option: whole numbers from 1 up, or (with `whole: false`) any positive number. */
export const positiveNumber =
  (name: string, whole: boolean) =>
  (value: string): number => {
    const n = Number(value);
    const ok = whole ? Number.isInteger(n) && n >= 1 : Number.isFinite(n) && n > 0;
    if (!ok) {
      const expected = whole ? "a whole number from 1 up" : "a positive number";
      throw new ExitError(1, `alacrity: ${name} must be ${expected}, got "${value}"`);
    }
    return n;
  };

/** `--allow-empty` and `--allow-mass-prune`: the removal guards `apply` and `run` may lift. */
export function addRemovalGuardOptions(command: Command): Command {
  return command
    .option("--allow-empty", "allow removing every managed app when DIR is empty or missing", false)
    .option(
      "--allow-mass-prune",
      "allow removing more than half of the managed apps (and more than two) at once",
      false,
    );
}

export function addOutputOption(command: Command): Command {
  return command.addOption(
    new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"),
  );
}

export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
