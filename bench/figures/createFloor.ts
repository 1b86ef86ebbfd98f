import { fileURLToPath } from "node:url";
import { appSet, Workspace } from "../apps.js";
import { alternatePairs } from "../pairs.js";
import { ensureOk, stackDeploy, timedRun } from "../commands.js";
import { APP_PREFIX, IMAGE } from "../config.js";
import { compare } from "../stats.js";
import type { Comparison } from "../stats.js";
import { cleanup } from "../swarm.js";

const BARE_CREATES = fileURLToPath(new URL("../floor/bareCreates.mjs", import.meta.url));

export interface FloorFigure {
  apps: number;
  pairs: number;
  /** A bare `node:http` client's creates against `docker stack deploy`, cold. */
  comparison: Comparison;
}

/**
 * What a cold apply cannot go below on this engine: the same number of service creates made by
 * a process that does nothing else (16 in flight, like `apply`), against a cold
 * `docker stack deploy`, alternated. Swarm commits each service write through its Raft store
 * one at a time, so this, not the client, bounds a cold apply's ratio.
 */
export async function createFloor(
  apps: number,
  pairs: number,
  log: (line: string) => void,
): Promise<FloorFigure> {
  const ws = new Workspace(appSet("f", apps, 0));
  const bare: number[] = [];
  const stack: number[] = [];
  const runBare = async (): Promise<void> => {
    await cleanup();
    const run = await timedRun(process.execPath, [BARE_CREATES, String(apps), `${APP_PREFIX}floor`, IMAGE]);
    bare.push(ensureOk("bare creates", run).ms);
  };
  const runStack = async (): Promise<void> => {
    await cleanup();
    stack.push((await stackDeploy(ws.composeFile)).ms);
  };
  try {
    // Uncounted, as the apply figure's warm-up pair is: both sides' first runs.
    await runBare();
    await runStack();
    log(`  warm-up pair (not counted): ${Math.round(bare.pop()!)} ms vs ${Math.round(stack.pop()!)} ms`);
    await alternatePairs(pairs, runBare, runStack, (pair) =>
      log(`  pair ${pair + 1}/${pairs}: ${Math.round(bare.at(-1)!)} ms vs ${Math.round(stack.at(-1)!)} ms`),
    );
  } finally {
    await cleanup();
    ws.dispose();
  }
  return { apps, pairs, comparison: compare(bare, stack) };
}
