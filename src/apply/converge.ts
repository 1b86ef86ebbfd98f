import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { AppExecutor, type ActionOutcome, type ActionPort } from "../execute/appExecutor.js";
import { groupByApp } from "../execute/groupByApp.js";
import {
  missingResourceMessage,
  neededByActions,
  ResourceRunner,
  type ResourceOutcome,
  type ResourcePort,
} from "../execute/resourceRunner.js";
import type { DesiredState } from "../manifest/types.js";
import { plan as planState } from "../reconcile/plan.js";
import type { Plan, PlanOptions } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";
import { forEachLimited } from "./forEachLimited.js";

export type { ActionOutcome } from "../execute/appExecutor.js";

/** What converging needs from the Swarm; the real one is in src/swarm, tests may count calls. */
export interface SwarmPort extends ActionPort, ResourcePort {
  observe(): Promise<ObservedState>;
}

export interface ConvergeOptions extends PlanOptions {
  /** Apps worked on at once (actions of one app always run in order). */
  concurrency: number;
  /** Attempts per app when Swarm answers with a retryable error (e.g. "update out of sequence"). */
  maxAttempts: number;
  logger: Logger;
  /** Injected for tests: the pause before re-observing after a retryable error, and timings. */
  clock?: Clock;
}

export interface ConvergeResult {
  /** The plan computed at the start of the pass. */
  plan: Plan;
  outcomes: ActionOutcome[];
  /** Apps with an action that failed for good (after retries), or whose network or secret could not be made. */
  failed: Map<string, string>;
  /** The plan's setup and cleanup (networks, secrets, configs), in the order they ran. */
  resourceOutcomes: ResourceOutcome[];
}

/**
 * One convergence pass: observe, plan, create the networks, secrets and configs the plan needs,
 * execute every app's actions with bounded concurrency, then remove what no app uses any more.
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
  const observed = alreadyObserved ?? (await swarm.observe());
  const firstPlan = planState(desired, observed, options);
  const outcomes: ActionOutcome[] = [];
  const failed = new Map<string, string>();
  const executor = new AppExecutor({
    port: swarm,
    ...(options.clock ? { clock: options.clock } : {}),
    okLevel: "debug",
    maxAttempts: options.maxAttempts,
    replan: async (app) => {
      const state = await swarm.observe();
      return {
        actions: planState(desired, state, options).actions.filter((a) => a.app === app),
        observed: state,
      };
    },
    onAction: (outcome) => outcomes.push(outcome),
  });

  const resourceOutcomes: ResourceOutcome[] = [];
  const resources = new ResourceRunner({
    port: swarm,
    setup: firstPlan.setup ?? [],
    logger: options.logger,
    okLevel: "debug",
    ...(options.clock ? { clock: options.clock } : {}),
    onOutcome: (outcome) => resourceOutcomes.push(outcome),
  });
  await resources.all();

  // A re-observe between attempts can fail too (the engine restarting): that app has failed,
  // and the others go on.
  await forEachLimited([...groupByApp(firstPlan.actions)], options.concurrency, async ([app, actions]) => {
    const missing = await resources.ensure(neededByActions(actions));
    if (missing.size > 0) {
      failed.set(app, missingResourceMessage(missing));
      return;
    }
    try {
      const result = await executor.run(app, actions, observed, {
        childOf: options.logger,
        bindings: { app },
      });
      if (!result.ok) failed.set(app, result.message);
    } catch (err) {
      failed.set(app, swarm.describeError(err));
    }
  });
  await resources.cleanup(firstPlan.cleanup ?? []);
  return { plan: firstPlan, outcomes, failed, resourceOutcomes };
}
