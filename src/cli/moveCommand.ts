import type { Command } from "commander";
import { moveApp } from "../maintenance/move.js";
import type { MoveResult } from "../maintenance/move.js";
import { printJson } from "./commonOptions.js";
import { addDataJobOptions, dataJobError, jobRunOptions } from "./dataJobOptions.js";
import type { DataJobCliOptions } from "./dataJobOptions.js";
import { ExitError } from "./exitError.js";
import { copyProgress } from "./copyProgress.js";
import { openDocker } from "./swarmSession.js";

interface MoveCliOptions extends DataJobCliOptions {
  to: string;
}

export function registerMoveCommand(program: Command): void {
  const command = program
    .command("move")
    .argument("<app>", "the persistent app")
    .requiredOption("--to <node>", "the node to move it to: hostname or node ID")
    .description(
      "moves a persistent app and its data to another node: stops it, copies and verifies its volumes and host directories, re-pins it, starts it there",
    )
    .addHelpText(
      "after",
      "\nRefused before anything stops when the node is not ready and active, the app is not persistent, or a volume or directory of the app on that node already holds data. A host directory must exist on the new node (same path). The old node's data is never deleted: alacrity data lists it as left behind, with its delete command. Set spec.node in the app's manifest to the new node afterwards.\n\nKilled at any moment, the app is left on its old node with its data, or on the new one with a verified copy; run the same command again to finish.\n\nExit status: 0 moved and running; 1 refused, failed (the app runs on its old node), or moved but not running.\n\nExamples:\n  alacrity move db --to node-2\n  alacrity move db --to node-2 --output json",
    );
  addDataJobOptions(command).action(async (app: string, options: MoveCliOptions) => {
    const progress = copyProgress(process.stderr);
    let result: MoveResult;
    try {
      result = await moveApp(openDocker(), {
        ...jobRunOptions(app, options),
        to: options.to,
        onStep: progress.step,
        ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
      });
    } catch (err) {
      throw dataJobError(app, "move", err);
    } finally {
      progress.stop();
    }
    if (options.output === "json") printJson(result);
    else process.stdout.write(summary(result));
    if (result.startProblem !== undefined)
      throw new ExitError(1, `alacrity move ${app}: ${result.startProblem}`);
  });
}

function summary(r: MoveResult): string {
  const copy = r.copy
    ? `${r.copy.dataBytes} bytes in ${r.copy.files} file(s), verified (sha256 ${r.copy.sha256})`
    : "the copy a killed run had made and verified";
  const left = [...r.leftBehind.volumes, ...r.leftBehind.hostPaths].join(", ");
  return (
    `Moved ${r.app} from ${r.from.hostname} to ${r.to.hostname}: ${copy}; out of service ${(r.downtimeMs / 1000).toFixed(1)} s.\n` +
    `${r.from.hostname} keeps ${left} (alacrity data lists it, with its delete command).\n` +
    `Set spec.node: ${r.to.hostname} in ${r.app}'s manifest: the pin says ${r.to.hostname} now, and a manifest naming ${r.from.hostname} is refused.\n`
  );
}
