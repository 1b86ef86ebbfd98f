import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { readConfig } from "./config.js";
import { applyVsStack } from "./figures/applyVsStack.js";
import { commitFigures } from "./figures/commit.js";
import { createFloor } from "./figures/createFloor.js";
import { daemonFigures } from "./figures/daemon.js";
import { plannerFigure } from "./figures/planner.js";
import { noopRequests } from "./figures/requests.js";
import { startupFigures } from "./figures/startup.js";
import { timeToRunning } from "./figures/timeToRunning.js";
import { formatTable } from "./table.js";
import type { Row } from "./table.js";
import { cleanup } from "./swarm.js";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function machine(): Record<string, string | number> {
  const dockerVersion = (() => {
    try {
      return execFileSync(
        "docker",
        ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"],
        {
          encoding: "utf8",
        },
      ).trim();
    } catch {
      return "unknown";
    }
  })();
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    docker: dockerVersion,
  };
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Runs one figure; a figure that fails becomes a row saying so (and the run's exit status 1),
 * so the figures measured before and after it are still reported.
 */
async function attempt(
  name: string,
  rows: Row[],
  errors: Record<string, string>,
  body: () => Promise<void> | void,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${name} failed: ${message}`);
    errors[name] = message;
    rows.push({ figure: name, value: `not measured: ${message.split("\n")[0] ?? ""}`, goal: "", met: false });
    await cleanup({ containers: true }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const started = new Date();
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  log(
    `AlaCrity benchmark: ${config.apps} apps, ${config.pairs} pairs, figures ${[...config.figures].join(", ")}`,
  );
  await cleanup({ containers: true });

  if (config.figures.has("planner"))
    await attempt("planner", rows, errors, () => {
      log(`planner: plan() for ${config.plannerApps} apps`);
      const p = plannerFigure(config.plannerApps);
      results.planner = p;
      rows.push({
        figure: `planner alone, ${p.apps} apps`,
        value: `${round(p.medianMs)} ms (median of ${p.runs})`,
        goal: "<= 200 ms",
        met: p.medianMs <= 200,
      });
    });

  if (config.figures.has("apply"))
    await attempt("apply", rows, errors, async () => {
      log(`apply vs docker stack deploy: ${config.apps} apps, ${config.pairs} pairs`);
      const a = await applyVsStack(config.apps, config.pairs, log);
      results.apply = a;
      rows.push({
        figure: `cold apply, ${a.apps} apps`,
        value: `${round(a.cold.oursMedianMs)} ms vs ${round(a.cold.theirsMedianMs)} ms: ratio ${round(a.cold.medianRatio, 2)}`,
        goal: "ratio <= 0.5",
        met: a.cold.medianRatio <= 0.5,
      });
      rows.push({
        figure: `first cold apply of a new directory (empty parse cache), ${a.apps} apps`,
        value: `${round(a.firstCold.oursMs)} ms vs ${round(a.firstCold.theirsMs)} ms: ratio ${round(a.firstCold.oursMs / a.firstCold.theirsMs, 2)}`,
        goal: "(reference, one run)",
        met: null,
      });
      rows.push({
        figure: `no-op apply, ${a.apps} apps`,
        value: `${round(a.noop.oursMedianMs)} ms vs ${round(a.noop.theirsMedianMs)} ms: ratio ${round(a.noop.medianRatio, 2)}`,
        goal: "ratio <= 0.2",
        met: a.noop.medianRatio <= 0.2,
      });
    });

  if (config.figures.has("startup"))
    await attempt("startup", rows, errors, async () => {
      log(`start-up: --version and a no-op apply of ${config.apps} apps, ${config.pairs} runs each`);
      const s = await startupFigures(config.apps, config.pairs);
      results.startup = s;
      rows.push({
        figure: "`alacrity --version`: wall time and peak RSS",
        value: `${round(s.version.medianMs)} ms, ${round(s.version.medianRssMb)} MB (median of ${s.runs})`,
        goal: "(reference)",
        met: null,
      });
      rows.push({
        figure: `no-op apply, ${s.apps} apps: wall time and peak RSS of the process`,
        value: `${round(s.noopApply.medianMs)} ms, ${round(s.noopApply.medianRssMb)} MB (median of ${s.runs})`,
        goal: "(reference)",
        met: null,
      });
    });

  if (config.figures.has("floor"))
    await attempt("floor", rows, errors, async () => {
      log(`floor: ${config.apps} bare creates vs docker stack deploy, ${config.pairs} pairs`);
      const f = await createFloor(config.apps, config.pairs, log);
      results.floor = f;
      rows.push({
        figure: `floor of a cold apply: ${f.apps} creates, bare node:http client`,
        value: `${round(f.comparison.oursMedianMs)} ms vs ${round(f.comparison.theirsMedianMs)} ms: ratio ${round(f.comparison.medianRatio, 2)}`,
        goal: "(reference)",
        met: null,
      });
    });

  if (config.figures.has("requests"))
    await attempt("requests", rows, errors, async () => {
      const sizes = [...new Set([Math.min(10, config.apps), config.apps])];
      const counts = [];
      for (const size of sizes) {
        log(`API requests of a no-op apply: ${size} apps`);
        counts.push(await noopRequests(size));
      }
      results.requests = counts;
      rows.push({
        figure: "API requests of a no-op apply",
        value: counts
          .map((c) => `${c.alacrity} at ${c.apps} apps (stack deploy: ${c.stackDeploy})`)
          .join("; "),
        // One list call per kind of object the plan compares, whatever the number of apps:
        // services, tasks, nodes, volumes, configs (pins among them), networks, secrets.
        goal: "<= 7",
        met: counts.every((c) => c.alacrity <= 7),
      });
    });

  if (config.figures.has("daemon"))
    await attempt("daemon", rows, errors, async () => {
      log(`daemon: ${config.apps} apps, ${config.idleSeconds} s idle, ${config.edits} edits`);
      const d = await daemonFigures(config.apps, config.idleSeconds, config.edits, log);
      results.daemon = d;
      rows.push({
        figure: `edit -> service updated, daemon with ${d.apps} apps`,
        value: `p95 ${round(d.warm.edits.p95Ms)} ms, median ${round(d.warm.edits.medianMs)} ms (${d.warm.edits.count} edits)`,
        goal: "p95 <= 300 ms",
        met: d.warm.edits.p95Ms <= 300,
      });
      rows.push({
        figure: `idle daemon, ${d.apps} apps: requests in ${d.warm.idle.seconds} s`,
        value: `${d.warm.idle.requests}`,
        goal: "<= 10",
        met: d.warm.idle.requests <= 10,
      });
      for (const run of [d.warm, d.cold]) {
        const after = run.afterEditsAndIdle;
        rows.push({
          figure: `daemon, ${d.apps} apps, parse cache ${run.parseCache}: resident memory after ${run.edits.count} edits and ${run.idle.seconds} s idle`,
          value: `${round(after.rssMb)} MB (at start ${round(run.started.rssMb)} MB; heap ${round(after.heapUsedMb)} of ${round(after.heapTotalMb)} MB)`,
          goal: "<= 120 MB",
          met: after.rssMb <= 120 && run.started.rssMb <= 120,
        });
      }
    });

  if (config.figures.has("commit"))
    await attempt("commit", rows, errors, async () => {
      log(`commit: daemon on a Git repository of ${config.commitApps} apps, ${config.commits} commits`);
      const c = await commitFigures(config.commitApps, config.commits, log);
      results.commit = c;
      rows.push({
        figure: `commit changing one file -> service updated, Git source with ${c.apps} apps`,
        value: `median ${round(c.medianMs)} ms, p95 ${round(c.p95Ms)} ms (${c.commits} commits)`,
        goal: "(reference)",
        met: null,
      });
    });

  if (config.figures.has("running"))
    await attempt("running", rows, errors, async () => {
      log(`time to running: ${config.runningApps} apps with 1 replica, ${config.pairs} pairs`);
      const r = await timeToRunning(config.runningApps, config.pairs, log);
      results.running = r;
      rows.push({
        figure: `time to running, ${r.apps} apps with 1 replica`,
        value: `${round(r.comparison.oursMedianMs)} ms vs ${round(r.comparison.theirsMedianMs)} ms: ratio ${round(r.comparison.medianRatio, 2)}`,
        goal: "ratio <= 1.0",
        met: r.comparison.medianRatio <= 1.0,
      });
    });

  const table = formatTable(rows);
  process.stdout.write(`${table}\n`);
  const document = {
    date: started.toISOString(),
    machine: machine(),
    config: { ...config, figures: [...config.figures] },
    rows,
    results,
    errors,
  };
  mkdirSync(dirname(config.out), { recursive: true });
  writeFileSync(config.out, `${JSON.stringify(document, null, 2)}\n`);
  log(`results written to ${config.out}`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  await cleanup({ containers: true }).catch(() => undefined);
  process.exitCode = 1;
});
