#!/usr/bin/env node
import { Command } from "commander";
import { exitQuietlyOnClosedOutput } from "./closedOutput.js";
import { commandsFor, COMMANDS } from "./commandModules.js";
import { runCli } from "./runCli.js";
import { packageVersion } from "./version.js";

async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("alacrity")
    .description("A declarative, Kubernetes-style reconciling controller for Docker Swarm")
    .version(packageVersion())
    .exitOverride();
  for (const name of commandsFor(argv)) (await COMMANDS[name]!())(program);
  return program;
}

exitQuietlyOnClosedOutput([process.stdout, process.stderr]);
process.exitCode = await runCli(await buildProgram(process.argv), process.argv);
