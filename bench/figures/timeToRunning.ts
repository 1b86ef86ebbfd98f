import { appSet, Workspace } from "../apps.js";
import { alternatePairs } from "../pairs.js";
import { alacrityApply, stackDeploy } from "../commands.js";
import { compare } from "../stats.js";
import type { Comparison } from "../stats.js";
import { STACK } from "../config.js";
import { cleanup, waitForRunning } from "../swarm.js";
import { WAIT_POLL_MS } from "../../src/swarm/waitForTasks.js";

/** The stack side polls as often as `apply --wait` does. */
const POLL_MS = WAIT_POLL_MS;

export interface RunningFigure {
  apps: number;
  pairs: number;
  comparison: Comparison;
}

/** `apply --wait` against `docker stack deploy` plus polling, until every app's one task runs. */
export async function timeToRunning(
  apps: number,
  pairs: number,
  log: (line: string) => void,
): Promise<RunningFigure> {
  const set = appSet("r", apps, 1);
  const ws = new Workspace(set);
  const stackNames = set.names.map((n) => `${STACK}_${n}`);
  const ours: number[] = [];
  const theirs: number[] = [];
  const runOurs = async (): Promise<void> => {
    await cleanup({ containers: true });
    ours.push((await alacrityApply(ws.appsDir, ["--wait", "--timeout", "300"])).ms);
  };
  const runTheirs = async (): Promise<void> => {
    await cleanup({ containers: true });
    const started = performance.now();
    await stackDeploy(ws.composeFile);
    await waitForRunning(stackNames, 1, POLL_MS);
    theirs.push(performance.now() - started);
  };
  try {
    await alternatePairs(pairs, runOurs, runTheirs, (pair) =>
      log(`  pair ${pair + 1}/${pairs}: ${Math.round(ours.at(-1)!)} ms vs ${Math.round(theirs.at(-1)!)} ms`),
    );
  } finally {
    await cleanup({ containers: true });
    ws.dispose();
  }
  return { apps, pairs, comparison: compare(ours, theirs) };
}
