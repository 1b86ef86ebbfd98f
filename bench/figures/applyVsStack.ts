import { appSet, Workspace } from "../apps.js";
import { alternatePairs } from "../pairs.js";
import { alacrityApply, stackDeploy } from "../commands.js";
import { compare } from "../stats.js";
import type { Comparison } from "../stats.js";
import { cleanup } from "../swarm.js";

export interface ApplyFigures {
  apps: number;
  pairs: number;
  cold: Comparison;
  noop: Comparison;
  /**
   * The uncounted warm-up pair's cold runs: AlaCrity's first apply of the new directory parses
   * every manifest (its parse cache is empty), stack deploy's first run is its own first too.
   */
  firstCold: { oursMs: number; theirsMs: number };
}

/**
 * Cold and no-op apply against `docker stack deploy` of the same apps, alternated in one run:
 * each pair measures both commands from no bench service at all, then the same command again
 * with nothing changed. The first command of a pair alternates, so neither always runs first.
 */
export async function applyVsStack(
  apps: number,
  pairs: number,
  log: (line: string) => void,
): Promise<ApplyFigures> {
  const ws = new Workspace(appSet("a", apps, 0));
  const cold = { ours: [] as number[], theirs: [] as number[] };
  const noop = { ours: [] as number[], theirs: [] as number[] };
  const ours = async (): Promise<void> => {
    await cleanup();
    cold.ours.push((await alacrityApply(ws.appsDir)).ms);
    noop.ours.push((await alacrityApply(ws.appsDir)).ms);
  };
  const theirs = async (): Promise<void> => {
    await cleanup();
    cold.theirs.push((await stackDeploy(ws.composeFile)).ms);
    noop.theirs.push((await stackNoop(ws.composeFile, log)).ms);
  };
  let firstCold = { oursMs: Number.NaN, theirsMs: Number.NaN };
  try {
    // A warm-up pair, reported apart and not counted: the first apply of a new directory fills
    // the parse cache, which every later apply of it (a user's, or the daemon's restarts) uses.
    await ours();
    await theirs();
    firstCold = { oursMs: cold.ours.pop()!, theirsMs: cold.theirs.pop()! };
    noop.ours.pop();
    noop.theirs.pop();
    log(`  warm-up pair (not counted): cold ${ms(firstCold.oursMs)} vs ${ms(firstCold.theirsMs)}`);
    await alternatePairs(pairs, ours, theirs, (pair) =>
      log(
        `  pair ${pair + 1}/${pairs}: cold ${ms(cold.ours[pair]!)} vs ${ms(cold.theirs[pair]!)}, no-op ${ms(noop.ours[pair]!)} vs ${ms(noop.theirs[pair]!)}`,
      ),
    );
  } finally {
    await cleanup();
    ws.dispose();
  }
  return {
    apps,
    pairs,
    cold: compare(cold.ours, cold.theirs),
    noop: compare(noop.ours, noop.theirs),
    firstCold,
  };
}

/**
 * A `docker stack deploy` right after the one that created the services sometimes fails with
 * "update out of sequence" (Swarm is still writing the new services; stack deploy does not retry).
 * That run is not a figure: it is logged and measured again after a second.
 */
async function stackNoop(composeFile: string, log: (line: string) => void): Promise<{ ms: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await stackDeploy(composeFile);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes("update out of sequence")) throw error;
      log("  docker stack deploy failed with 'update out of sequence'; measuring it again");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

const ms = (value: number): string => `${Math.round(value)} ms`;
