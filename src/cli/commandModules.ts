import type { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: `run` pulls in the daemon, HTTP, prom-client
 * and chokidar, validate and schema the YAML parser and zod, the others the Docker client: loading them all
 * made each command start 0.3-0.5 s later than its own imports need (a no-op apply's whole budget
 * is 0.6 s). Add yours below, in the order `--help` lists them.
 */
export const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./validateCommand.js")).registerValidateCommand,
  schema: async () => (await import("./schemaCommand.js")).registerSchemaCommand,
  plan: async () => (await import("./planCommand.js")).registerPlanCommand,
  apply: async () => (await import("./applyCommand.js")).registerApplyCommand,
  run: async () => (await import("./runCommand.js")).registerRunCommand,
  status: async () => (await import("./statusCommand.js")).registerStatusCommand,
  data: async () => (await import("./dataCommand.js")).registerDataCommand,
  backup: async () => (await import("./backupCommand.js")).registerBackupCommand,
  restore: async () => (await import("./restoreCommand.js")).registerRestoreCommand,
  move: async () => (await import("./moveCommand.js")).registerMoveCommand,
  import: async () => (await import("./importCommand.js")).registerImportCommand,
};

/**
 * The commands the arguments can reach: the one named first, none for `--version`, and all of
 * them otherwise (`--help`, `help`, a mistyped name that commander suggests a command for).
 */
export function commandsFor(argv: readonly string[]): string[] {
  const first = argv[2];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [first];
  if (first === "--version" || first === "-V") return [];
  return Object.keys(COMMANDS);
}
