import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AppExecutor } from "../execute/appExecutor.js";
import type { DesiredState } from "../manifest/types.js";
import type { ObservedState } from "../swarm/types.js";
import type { PlanCache, PlannedState } from "./planCache.js";
import type { HandlerOutcome } from "./workQueue.js";

export interface AppReconcilerOptions {
  /** The desired state as last loaded; undefined before the first load. */
  desired(): DesiredState | undefined;
  /** The observed state `name`'s reconcile may use (see `ObservedCache.forApp`). */
  observe(name: string): Promise<ObservedState>;
  plans: PlanCache;
  executor: AppExecutor;
  logger: Logger;
}

/**
 * Reconciles one app by name, level-triggered: re-reads the desired and observed states, plans
 * the whole state (once per snapshot, see `PlanCache`), and executes only that app's actions. The
 * outcome tells the work queue how to retry: a planner bug or a rule violation waits for the input
 * to change, a Docker error that can pass is retried with backoff.
 */
export class AppReconciler {
  readonly #options: AppReconcilerOptions;
  /** The last execute error of each app, until it reconciles cleanly. */
  readonly #errors = new Map<string, string>();

  constructor(options: AppReconcilerOptions) {
    this.#options = options;
  }

  /** Why `name`'s last attempt failed, while it has not reconciled cleanly since. */
  lastError(name: string): string | undefined {
    return this.#errors.get(name);
  }

  async reconcile(name: string): Promise<HandlerOutcome> {
    const log = this.#options.logger.child({ app: name, reconcileId: randomUUID().slice(0, 8) });
    const desired = this.#options.desired();
    if (!desired) return { result: "retry", error: new Error("the manifests have not been loaded yet") };

    let observed: ObservedState;
    try {
      observed = await this.#options.observe(name);
    } catch (error) {
      return { result: "retry", error };
    }

    let planned: PlannedState;
    try {
      planned = this.#options.plans.planFor(desired, observed);
    } catch (error) {
      // A planner that throws has a bug; retrying the same input would throw again.
      log.error({ err: error }, "planning failed");
      return { result: "terminal", error };
    }

    const result = await this.#options.executor.run(name, planned.byApp.get(name) ?? [], observed, log);
    if (!result.ok) {
      this.#errors.set(name, result.message);
      return { result: result.retryable ? "retry" : "terminal", error: result.error };
    }
    this.#errors.delete(name);
    if (planned.plan.rejections.some((r) => r.app === name)) return { result: "terminal" };
    return { result: "ok" };
  }
}
