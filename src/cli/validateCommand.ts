import type { Command } from "commander";
import { documentCounts } from "./documentCounts.js";
import { compareErrors } from "../manifest/duplicates.js";
import { validatePaths } from "../manifest/loader/index.js";
import { policyErrors } from "../rules/registry.js";
import { addAllowHostPathOption } from "./commonOptions.js";
import { errorLine } from "./render/planText.js";
import { ExitError } from "./exitError.js";

interface ValidateOptions {
  allowHostPath?: string[];
}

export function registerValidateCommand(program: Command): void {
  const command = program
    .command("validate")
    .description("check manifest files or directories, offline (the host-path policy included)")
    .addHelpText(
      "after",
      "\nExit status: 0 all valid; 1 any error, each printed as FILE:LINE:COL: field.path: message.\n\nExamples:\n  alacrity validate apps/\n  alacrity validate apps/db.yaml apps/web.yaml\n  alacrity validate apps/ --allow-host-path /srv --allow-host-path /var/lib/postgres",
    )
    .argument("<paths...>", "manifest files or directories (searched recursively for *.yaml, *.yml)");
  addAllowHostPathOption(command).action(async (paths: string[], options: ValidateOptions) => {
    const state = await validatePaths(paths);
    const errors = [...state.errors, ...policyErrors(state, options.allowHostPath)].sort(compareErrors);
    for (const error of errors) process.stdout.write(`${errorLine(error)}\n`);
    const files = `${state.fileCount} file${state.fileCount === 1 ? "" : "s"}`;
    if (errors.length > 0) {
      const count = `${errors.length} error${errors.length === 1 ? "" : "s"}`;
      throw new ExitError(1, `${count} in ${files}`);
    }
    process.stderr.write(`${files} valid (${documentCounts(state)})\n`);
  });
}
