import { Option } from "commander";
import type { Command } from "commander";
import { converge } from "../apply/converge.js";
import type { ConvergeResult } from "../apply/converge.js";
import { dockerSwarmPort } from "../apply/dockerSwarmPort.js";
import { expectedHashes, startedTaskHashes } from "../apply/expectedHashes.js";
import { loadDesiredState } from "../manifest/loader/index.js";
import { formatError } from "../manifest/types.js";
import type { DesiredState } from "../manifest/types.js";
import { waitForTasks } from "../swarm/index.js";
import type { WaitResult } from "../swarm/index.js";
import {
  addAdoptStackOption,
  addAgeKeyFileOption,
  addDirOptions,
  addOutputOption,
  addRemovalGuardOptions,
  positiveNumber,
  printJson,
  requireDir,
} from "./commonOptions.js";
import type { DirOptions } from "./commonOptions.js";
import { ExitError } from "./exitError.js";
import { addBackupFirstOptions, backupFirstOptions } from "./backupFirstOptions.js";
import { createLogger } from "./logger.js";
import { printable } from "../manifest/format.js";
import { retryProblems } from "../reconcile/retry.js";
import {
  actionHeadline,
  describeBusy,
  describeHeld,
  describeRejection,
  describeResourceAction,
  describeWarning,
  planSummary,
} from "./render/planText.js";
import { planInputs } from "./planInputs.js";
import { openDocker, startObserving } from "./swarmSession.js";

interface ApplyCommandOptions extends DirOptions {
  wait: boolean;
  timeout: number;
  allowEmpty: boolean;
  allowMassPrune: boolean;
  concurrency: number;
  output: "text" | "json";
  retry: string[];
  backupDir?: string;
  helperImage: string;
}

const positiveInt = (name: string) => positiveNumber(name, true);

/**
 * Apps whose tasks `--wait` waits for: every valid app the pass touched or keeps, not rejected,
 * held, or stopped by a backup, restore or move.
 */
function appsToWaitFor(desired: DesiredState, result: ConvergeResult): string[] {
  const { rejections, held = [], busy = [] } = result.plan;
  const rejected = new Set([...rejections, ...held, ...busy].map((r) => r.app));
  return [...desired.apps.keys()].filter((name) => !rejected.has(name) && !result.failed.has(name)).sort();
}

/** The Swarm name of each app whose service is not named for it (`spec.serviceName`). */
function serviceNamesOf(desired: DesiredState): Map<string, string> {
  const names = new Map<string, string>();
  for (const app of desired.apps.values())
    if (app.serviceName !== undefined) names.set(app.name, app.serviceName);
  return names;
}

export function registerApplyCommand(program: Command): void {
  const command = program
    .command("apply")
    .description("converge the Swarm to DIR once, removing managed apps that are no longer defined")
    .option(
      "--wait",
      "wait until every app's tasks are running (and healthy, with a health check) and Swarm's updates are done; print Swarm's error, the last probe output, or the rolled back or paused update of those that fail",
      false,
    )
    .option("--timeout <seconds>", "how long --wait waits", positiveInt("--timeout"), 300)
    .option(
      "--retry <app>",
      "apply APP's spec again although Swarm rolled it back (releases its hold; repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(
      new Option("--concurrency <n>", "apps worked on at once")
        .argParser(positiveInt("--concurrency"))
        .default(16),
    )
    .addHelpText(
      "after",
      "\nExit status: 0 every app converged; 1 any app rejected or failed (with --wait: unhealthy, or its update rolled back or paused by Swarm), held after Swarm rolled it back, or a removal held back (the rest are still applied); 1 at once, changing nothing, for a --retry of an app that is unknown or not held.\n\nExamples:\n  alacrity apply --dir apps --wait --timeout 120\n  alacrity apply --dir apps --retry web\n  ALACRITY_DIR=apps alacrity apply --allow-mass-prune",
    );
  addOutputOption(
    addBackupFirstOptions(
      addAgeKeyFileOption(addDirOptions(addAdoptStackOption(addRemovalGuardOptions(command)), true)),
    ),
  ).action(async (options: ApplyCommandOptions) => {
    const dir = requireDir(options);
    const logger = await createLogger();
    const docker = openDocker();
    // Fails clearly when Docker is not there; converge plans from this same state.
    const observing = startObserving(docker);
    const desired = await loadDesiredState(dir);
    const observed = await observing;
    const planOptions = await planInputs(docker, desired, options, dir, options);
    if (options.retry.length > 0) {
      const problems = retryProblems(options.retry, desired, observed, planOptions);
      if (problems.length > 0) throw new ExitError(1, problems);
    }
    const result = await converge(
      // Steps on stderr: with --output json, stdout is one document.
      dockerSwarmPort(
        docker,
        backupFirstOptions(options, (line) => process.stderr.write(`${line}\n`)),
      ),
      desired,
      {
        ...planOptions,
        ...(options.retry.length > 0 ? { retry: new Set(options.retry) } : {}),
        concurrency: options.concurrency,
        maxAttempts: 5,
        logger,
      },
      observed,
    );
    let waited: Record<string, WaitResult> = {};
    if (options.wait) {
      waited = await waitForTasks(docker, appsToWaitFor(desired, result), options.timeout * 1000, undefined, {
        expectedHashes: expectedHashes(observed, result.plan),
        taskHashes: startedTaskHashes(result.plan),
        serviceNames: serviceNamesOf(desired),
      });
    }
    const notRunning = Object.entries(waited).filter(([, w]) => !w.ok);
    if (options.output === "json") {
      printJson({
        summary: planSummary(result.plan),
        outcomes: result.outcomes.map((o) => ({
          app: o.action.app,
          kind: o.action.kind,
          reason: o.action.reason,
          ok: o.ok,
          error: o.error,
          durationMs: o.durationMs,
        })),
        resources: result.resourceOutcomes.map((o) => ({
          kind: o.action.kind,
          resource: o.action.resource,
          name: o.action.kind === "create-network" ? o.action.network.name : o.action.name,
          reason: o.action.reason,
          ok: o.ok,
          error: o.error,
          durationMs: o.durationMs,
        })),
        failed: Object.fromEntries(result.failed),
        rejections: result.plan.rejections,
        heldBack: result.plan.heldBack,
        held: result.plan.held ?? [],
        busy: result.plan.busy ?? [],
        warnings: result.plan.warnings,
        errors: desired.errors.map((e) => ({ ...e, text: formatError(e) })),
        wait: options.wait ? waited : undefined,
      });
    } else {
      // One write: a line per write made the output of a 1000-app apply a thousand syscalls.
      // Each line printable: manifest values, file names and Swarm's errors may hold newlines.
      const out: string[] = [];
      for (const error of desired.errors) out.push(`error: ${formatError(error)}`);
      // In the order they ran: setup, the apps' actions, cleanup.
      const cleanup = new Set<object>(result.plan.cleanup ?? []);
      const resourceLine = (o: (typeof result.resourceOutcomes)[number]): string =>
        `${describeResourceAction(o.action)}${o.ok ? "" : ` FAILED: ${o.error}`}`;
      for (const o of result.resourceOutcomes) if (!cleanup.has(o.action)) out.push(resourceLine(o));
      for (const outcome of result.outcomes) {
        out.push(`${actionHeadline(outcome.action)}${outcome.ok ? "" : ` FAILED: ${outcome.error}`}`);
      }
      for (const o of result.resourceOutcomes) if (cleanup.has(o.action)) out.push(resourceLine(o));
      for (const r of result.plan.rejections) out.push(describeRejection(r));
      for (const action of result.plan.heldBack) out.push(`held back: ${actionHeadline(action)}`);
      for (const h of result.plan.held ?? []) out.push(describeHeld(h));
      for (const b of result.plan.busy ?? []) out.push(describeBusy(b));
      for (const w of result.plan.warnings) out.push(describeWarning(w));
      for (const [app, w] of notRunning) {
        const detail = w.errors.length
          ? w.errors.map((e) => `${e.text}${e.node ? ` on node ${e.node}` : ""}`).join("; ")
          : `timed out after ${options.timeout}s`;
        out.push(`x ${app}: ${w.running}/${w.desired} running: ${detail}`);
      }
      const applied = result.outcomes.filter((o) => o.ok).length;
      out.push(
        `Applied ${applied} action${applied === 1 ? "" : "s"}; ${result.failed.size} app(s) failed, ${result.plan.rejections.length} rejected${result.plan.held?.length ? `, ${result.plan.held.length} held after a rollback` : ""}${options.wait ? `, ${notRunning.length} not running` : ""}.`,
      );
      process.stdout.write(out.map((line) => `${printable(line)}\n`).join(""));
    }
    const bad =
      result.failed.size > 0 ||
      result.resourceOutcomes.some((o) => !o.ok) ||
      result.plan.rejections.length > 0 ||
      result.plan.heldBack.length > 0 ||
      (result.plan.held?.length ?? 0) > 0 ||
      notRunning.length > 0 ||
      desired.errors.length > 0;
    if (bad) throw new ExitError(1);
  });
}
