import { appSet, Workspace } from "../apps.js";
import { alacrityApply, ensureOk, timedRun } from "../commands.js";
import { CLI, INSTANCE } from "../config.js";
import { median } from "../stats.js";
import { cleanup } from "../swarm.js";

export interface StartupFigures {
  apps: number;
  runs: number;
  /** `alacrity --version`: the process start and the CLI's own modules, no command code. */
  version: { medianMs: number; medianRssMb: number };
  /** A no-op `alacrity apply` of `apps` apps (parse cache warm): start-up, load, observe, plan. */
  noopApply: { medianMs: number; medianRssMb: number };
}

/**
 * Wall time and peak resident memory of whole CLI processes. GNU time reports the peak RSS
 * (`%M`, in KB) that Node cannot read for a child; its own start is the same for every build.
 */
export async function startupFigures(apps: number, runs: number): Promise<StartupFigures> {
  const ws = new Workspace(appSet("a", apps, 0));
  const measure = async (args: readonly string[]): Promise<{ ms: number; rssMb: number }> => {
    const run = ensureOk(
      `alacrity ${args[0]}`,
      await timedRun("/usr/bin/time", ["-f", "maxrss=%M", process.execPath, CLI, ...args]),
    );
    const kb = /maxrss=(\d+)/.exec(run.stderr)?.[1];
    if (kb === undefined)
      throw new Error(`no peak RSS in the output of /usr/bin/time: ${run.stderr.slice(-500)}`);
    return { ms: run.ms, rssMb: Number(kb) / 1024 };
  };
  const summary = (samples: { ms: number; rssMb: number }[]) => ({
    medianMs: median(samples.map((s) => s.ms)),
    medianRssMb: median(samples.map((s) => s.rssMb)),
  });
  try {
    await cleanup();
    await alacrityApply(ws.appsDir);
    await alacrityApply(ws.appsDir);
    const version: { ms: number; rssMb: number }[] = [];
    const noop: { ms: number; rssMb: number }[] = [];
    for (let i = 0; i < runs; i++) {
      version.push(await measure(["--version"]));
      noop.push(await measure(["apply", "--dir", ws.appsDir, "--instance", INSTANCE]));
    }
    return { apps, runs, version: summary(version), noopApply: summary(noop) };
  } finally {
    await cleanup();
    ws.dispose();
  }
}
