import type { Command } from "commander";
import { validatePaths } from "../manifest/loadDirectory.js";
import { errorLine } from "./render/planText.js";
import { ExitError } from "./exitError.js";

export function registerValidateCommand(program: Command): void {
  program
    .command("validate")
    .description("check manifest files or directories, offline")
    .addHelpText(
      "after",
      "\nExit status: 0 all valid; 1 any error, each printed as FILE:LINE:COL: field.path: message.\n\nExamples:\n  alacrity validate apps/\n  alacrity validate apps/db.yaml apps/web.yaml",
    )
    .argument("<paths...>", "manifest files or directories (searched recursively for *.yaml, *.yml)")
    .action(async (paths: string[]) => {
      const state = await validatePaths(paths);
      process.stdout.write(state.errors.map((error) => `${errorLine(error)}\n`).join(""));
      const files = `${state.fileCount} file${state.fileCount === 1 ? "" : "s"}`;
      if (state.errors.length > 0) {
        const count = `${state.errors.length} error${state.errors.length === 1 ? "" : "s"}`;
        throw new ExitError(1, `${count} in ${files}`);
      }
      const apps = `${state.apps.size} app${state.apps.size === 1 ? "" : "s"}`;
      process.stderr.write(`${files} valid (${apps})\n`);
    });
}
