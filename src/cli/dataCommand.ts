import type { Command } from "commander";
import type Docker from "dockerode";
import { inventory } from "../reconcile/inventory.js";
import type { DataInventory } from "../reconcile/inventory.js";
import { engineNodeId } from "../swarm/engineNode.js";
import { addOutputOption, printJson } from "./commonOptions.js";
import { renderDataTable } from "./render/dataTable.js";
import { observeOrExit, openDocker } from "./swarmSession.js";

interface DataCommandOptions {
  output: "text" | "json";
}

/**
 * Reads the Swarm (pin records, services, nodes) and the engine it talks to (its node, its
 * volumes and their sizes): the inventory needs no apps directory and no controller.
 */
export async function dataDocument(): Promise<DataInventory> {
  const docker = openDocker();
  const observed = await observeOrExit(docker);
  const [nodeId, sizes] = await Promise.all([engineNodeId(docker).catch(() => ""), volumeSizes(docker)]);
  return inventory({
    observed,
    ...(nodeId ? { engineNodeId: nodeId } : {}),
    ...(sizes ? { volumeSizes: sizes } : {}),
  });
}

/**
 * The engine's volume sizes (`docker system df -v`), or undefined when it cannot say: the
 * inventory is then shown without them rather than not at all.
 */
async function volumeSizes(docker: Docker): Promise<Map<string, number> | undefined> {
  try {
    const df = (await docker.df()) as { Volumes?: { Name: string; UsageData?: { Size?: number } }[] | null };
    return new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
  } catch {
    return undefined;
  }
}

export function registerDataCommand(program: Command): void {
  const command = program
    .command("data")
    .description(
      "every volume and host directory of persistent apps, live or left behind: app, node, whether the app and the node still exist, size, and how to delete what no app uses",
    )
    .addHelpText(
      "after",
      "\nThe source is the Swarm's pin records, so it works after a controller restart or from another machine; sizes are shown for the volumes of the engine AlaCrity talks to.\n\nExamples:\n  alacrity data\n  alacrity data --output json | jq '.entries[] | select(.inUse | not)'",
    );
  addOutputOption(command).action(async (options: DataCommandOptions) => {
    const document = await dataDocument();
    if (options.output === "json") printJson(document);
    else process.stdout.write(`${renderDataTable(document)}\n`);
  });
}
