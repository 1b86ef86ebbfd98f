import { Option } from "commander";
import type { Command } from "commander";
import type { ResolveContentsOptions } from "../content/index.js";
import type { PlanOptions } from "../reconcile/types.js";
import { DEFAULT_INSTANCE } from "../reconcile/managed.js";
import { allowedRootProblem, DEFAULT_HOST_PATH_ROOTS } from "../rules/hostPaths.js";
import { ExitError } from "./exitError.js";

export interface DirOptions {
  dir?: string;
  instance: string;
  /** The allowed data roots, checked; undefined: the defaults (/srv, /mnt, /data). */
  allowHostPath?: string[];
  /** `--age-key-file` (or `$ALACRITY_AGE_KEY_FILE`), on the commands that read Secret contents. */
  ageKeyFile?: string;
  /** `--adopt-stack NAME`, on `plan` and `apply`: take the stack's services over in place. */
  adoptStack?: string;
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
    ...(options.adoptStack !== undefined ? { adoptStack: options.adoptStack } : {}),
  };
}

/** `--adopt-stack NAME`: `plan` shows and `apply` makes the takeover of a stack's services. */
export function addAdoptStackOption(command: Command): Command {
  return command.option(
    "--adopt-stack <stack>",
    "take over in place the services of this stack (deployed by docker stack deploy) that apps name in spec.serviceName (see alacrity import --stack)",
  );
}

/**
 * `--dir` (default `$ALACRITY_DIR`), `--instance` (default `$ALACRITY_INSTANCE` or `default`) and
 * `--allow-host-path`.
 */
export function addDirOptions(command: Command, required: boolean): Command {
  command
    .addOption(
      new Option("-d, --dir <dir>", `apps directory${required ? "" : " (optional here)"}`).env(
        "ALACRITY_DIR",
      ),
    )
    .addOption(
      new Option("--instance <name>", "which AlaCrity instance's services to manage")
        .env("ALACRITY_INSTANCE")
        .default(DEFAULT_INSTANCE),
    );
  return addAllowHostPathOption(command);
}

const ALLOW_HOST_PATH_ENV = "ALACRITY_ALLOW_HOST_PATH";

/**
 * `--allow-host-path ROOT` (repeatable; or `$ALACRITY_ALLOW_HOST_PATH`, colon-separated): the
 * data roots manifests may bind host paths under. Given, it replaces the default list. Every
 * root is checked before the command runs, so a bad one stops it at start-up.
 */
export function addAllowHostPathOption(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--allow-host-path <root>",
        "let manifests bind host paths under ROOT (repeatable; replaces the default list, so repeat " +
          "/srv, /mnt, /data to keep them); /etc, /var/lib/docker, the Docker socket, ... stay refused inside it",
      )
        .env(ALLOW_HOST_PATH_ENV)
        .default(undefined, DEFAULT_HOST_PATH_ROOTS.join(", "))
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .hook("preAction", (_command, action) => {
      const given = action.getOptionValue("allowHostPath") as string[] | undefined;
      if (given === undefined) return;
      const fromEnv = action.getOptionValueSource("allowHostPath") === "env";
      action.setOptionValue("allowHostPath", allowedRoots(given, fromEnv));
    });
}

/** The roots as given, each checked; the environment variable's value is a colon-separated list. */
function allowedRoots(given: readonly string[], fromEnv: boolean): string[] {
  const name = fromEnv ? ALLOW_HOST_PATH_ENV : "--allow-host-path";
  const roots = fromEnv ? given.flatMap((value) => value.split(":")) : [...given];
  for (const root of roots) {
    const problem = allowedRootProblem(root, name);
    if (problem !== undefined) throw new ExitError(1, `alacrity: ${problem}`);
  }
  return roots;
}

/**
 * `--age-key-file FILE` (or `$ALACRITY_AGE_KEY_FILE`): the age identities `.age` Secret and Config
 * files are decrypted with, for the commands that read their contents against a Swarm (plan,
 * apply, run). Only its path is taken here: it is read when the first `.age` file needs it, so a
 * command without one works without the key, and a key's text never reaches the options.
 */
export function addAgeKeyFileOption(command: Command): Command {
  return command.addOption(
    new Option(
      "--age-key-file <file>",
      "decrypt .age Secret and Config files with the age identities (AGE-SECRET-KEY-1... lines) in FILE",
    ).env("ALACRITY_AGE_KEY_FILE"),
  );
}

/** What reading the Secret and Config contents of `appsDir` needs from the command line. */
export function contentOptionsOf(options: DirOptions, appsDir: string): ResolveContentsOptions {
  return { appsDir, env: process.env, ageIdentityFile: options.ageKeyFile };
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
