import type { Command } from "commander";
import { loadDesiredState } from "../manifest/loadDirectory.js";
import { plan } from "../reconcile/plan.js";
import { summarizeStatus } from "../reconcile/status.js";
import type { StatusRow } from "../reconcile/status.js";
import { resolveHostPaths } from "../apply/resolveHostPaths.js";
import { addDirOptions, addOutputOption, planOptionsOf, printJson } from "./commonOptions.js";
import type { DirOptions } from "./commonOptions.js";
import { renderStatusTable } from "./render/statusTable.js";
import { observeOrExit, openDocker } from "./swarmSession.js";

interface StatusCommandOptions extends DirOptions {
  output: "text" | "json";
}

/**
 * Reads the Swarm directly (no daemon needed). With `--dir`, apps that are defined but not
 * deployed, rejected or invalid are listed too, with the reason.
 */
export async function statusRows(options: DirOptions): Promise<StatusRow[]> {
  const docker = openDocker();
  const observed = await observeOrExit(docker);
  if (!options.dir) return summarizeStatus(observed, undefined, undefined, { instance: options.instance });
  const desired = await loadDesiredState(options.dir);
  const p = plan(desired, observed, {
    ...planOptionsOf(options),
    resolvedHostPaths: await resolveHostPaths(desired),
  });
  return summarizeStatus(observed, desired, p, { instance: options.instance });
}

export function registerStatusCommand(program: Command): void {
  const command = program
    .command("status")
    .description(
      "one row per managed app: name, persistent, running/desired replicas, pinned node, volumes, state and reason",
    )
    .addHelpText("after", "\nExamples:\n  alacrity status\n  alacrity status --dir apps --output json");
  addOutputOption(addDirOptions(command, false)).action(async (options: StatusCommandOptions) => {
    const rows = await statusRows(options);
    if (options.output === "json") printJson({ apps: rows });
    else process.stdout.write(`${renderStatusTable(rows)}\n`);
  });
}
