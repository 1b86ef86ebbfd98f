#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ExitError, INTERNAL_ERROR_EXIT } from "./exitError.js";
import { registerApplyCommand } from "./applyCommand.js";
import { registerPlanCommand } from "./planCommand.js";
import { registerRunCommand } from "./runCommand.js";
import { registerSchemaCommand } from "./schemaCommand.js";
import { registerStatusCommand } from "./statusCommand.js";
import { registerValidateCommand } from "./validateCommand.js";
import { packageVersion } from "./version.js";

function buildProgram(): Command {
  const program = new Command("alacrity")
    .description("A declarative, Kubernetes-style reconciling controller for Docker Swarm")
    .version(packageVersion())
    .exitOverride();

  // Each command lives in its own file and registers itself here: add yours below.
  registerValidateCommand(program);
  registerSchemaCommand(program);
  registerPlanCommand(program);
  registerApplyCommand(program);
  registerRunCommand(program);
  registerStatusCommand(program);

  return program;
}

/** Runs the CLI and returns the exit status; the one place where failures are turned into output. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof ExitError) {
      if (error.message) process.stderr.write(`${error.message}\n`);
      return error.code;
    }
    // commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`alacrity: internal error: ${message}\n`);
    if (process.env["ALACRITY_DEBUG"] === "1" && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return INTERNAL_ERROR_EXIT;
  }
}

process.exitCode = await main(process.argv);
