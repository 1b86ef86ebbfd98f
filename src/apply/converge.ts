import type { Logger } from "pino";
import type { DesiredState } from "../manifest/types.js";
import { plan as planState } from "../reconcile/plan.js";
import type { Action, Plan, PlanOptions } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";
import { forEachLimited } from "./forEachLimited.js";
import { groupByApp } from "./groupByApp.js";

/** What converging needs from the Swarm; the real one is in src/swarm, tests may count calls. */
export interface SwarmPort {
  observe(): Promise<ObservedState>;
  execute(action: Action, observed: ObservedState): Promise<void>;
  isRetryable(err: unknown): boolean;
  describeError(err: unknown): string;
}

export interface ConvergeOptions extends PlanOptions {
  /** Apps worked on at once (actions of one app always run in order). */
  concurrency: number;
  /** Attempts per app when Swarm answers with a retryable error (e.g. "update out of sequence"). */
  maxAttempts: number;
  logger: Logger;
  /** Injected for tests; a short pause before re-observing after a retryable error. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ActionOutcome {
  action: Action;
  ok: boolean;
  error?: string;
  durationMs: number;
}

export interface ConvergeResult {
  /** The plan computed at the start of the pass. */
  plan: Plan;
  outcomes: ActionOutcome[];
  /** Apps with an action that failed for good (after retries). */
  failed: Map<string, string>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One convergence pass: observe, plan, execute every app's actions with bounded concurrency.
 * One app's failure never stops the others. When Swarm rejects an action as stale (the service
 * changed since it was observed), that app alone is re-observed, re-planned and retried, so a
 * concurrent edit is never clobbered.
 *
 * `alreadyObserved` is a state the caller has just read (the CLI observes first to fail clearly
 * when Docker is not there): the pass plans from it instead of observing again, so a no-op apply
 * costs one observe (five list calls) rather than two.
 */
export async function converge(
  swarm: SwarmPort,
  desired: DesiredState,
  options: ConvergeOptions,
  alreadyObserved?: ObservedState,
): Promise<ConvergeResult> {
  const sleep = options.sleep ?? defaultSleep;
  const observed = alreadyObserved ?? (await swarm.observe());
  const firstPlan = planState(desired, observed, options);
  const outcomes: ActionOutcome[] = [];
  const failed = new Map<string, string>();

  const runApp = async (app: string, initial: Action[]): Promise<void> => {
    let actions = initial;
    let state = observed;
    for (let attempt = 1; ; attempt++) {
      const error = await runActions(swarm, actions, state, outcomes, options.logger);
      if (!error) return;
      if (!swarm.isRetryable(error) || attempt >= options.maxAttempts) {
        failed.set(app, swarm.describeError(error));
        return;
      }
      await sleep(100 * 2 ** (attempt - 1));
      state = await swarm.observe();
      actions = planState(desired, state, options).actions.filter((a) => a.app === app);
      if (actions.length === 0) return;
    }
  };

  // A re-observe between attempts can fail too (the engine restarting): that app has failed,
  // and the others go on.
  await forEachLimited([...groupByApp(firstPlan.actions)], options.concurrency, ([app, actions]) =>
    runApp(app, actions).catch((err: unknown) => {
      failed.set(app, swarm.describeError(err));
    }),
  );
  return { plan: firstPlan, outcomes, failed };
}

/** Runs one app's actions in order; stops at the first failure and returns its error. */
async function runActions(
  swarm: SwarmPort,
  actions: readonly Action[],
  observed: ObservedState,
  outcomes: ActionOutcome[],
  logger: Logger,
): Promise<unknown> {
  for (const action of actions) {
    const started = performance.now();
    try {
      await swarm.execute(action, observed);
      const durationMs = Math.round(performance.now() - started);
      outcomes.push({ action, ok: true, durationMs });
      // Debug: the command's own report lists every action; at info, a thousand-app apply spent
      // 8-13 % of its time writing the same thousand lines again as JSON.
      logger.debug({ app: action.app, action: action.kind, reason: action.reason, result: "ok", durationMs });
    } catch (err) {
      const durationMs = Math.round(performance.now() - started);
      const error = swarm.describeError(err);
      outcomes.push({ action, ok: false, error, durationMs });
      logger.warn({
        app: action.app,
        action: action.kind,
        reason: action.reason,
        result: "error",
        error,
        durationMs,
      });
      return err;
    }
  }
  return undefined;
}
