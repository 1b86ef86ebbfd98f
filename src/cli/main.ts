#!/usr/bin/env node
import { Command } from "commander";
import { registerApplyCommand } from "./applyCommand.js";
import { registerPlanCommand } from "./planCommand.js";
import { registerRunCommand } from "./runCommand.js";
import { runCli } from "./runCli.js";
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

process.exitCode = await runCli(buildProgram(), process.argv);
