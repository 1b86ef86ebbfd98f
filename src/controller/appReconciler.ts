import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AppExecutor } from "../execute/appExecutor.js";
import { missingResourceMessage, neededByActions, neededKeys } from "../execute/resourceRunner.js";
import type { DesiredState } from "../manifest/types.js";
import type { Action } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";
import type { PlanCache, PlannedState } from "./planCache.js";
import type { ResourceRunners } from "./resourceRunners.js";
import type { HandlerOutcome } from "./workQueue.js";

export interface AppReconcilerOptions {
  /** The desired state as last loaded; undefined before the first load. */
  desired(): DesiredState | undefined;
  /** The observed state `name`'s reconcile may use (see `ObservedCache.forApp`). */
  observe(name: string): Promise<ObservedState>;
  plans: PlanCache;
  executor: AppExecutor;
  /** The networks, secrets and configs an app's actions need are set up first, once per plan. */
  resources: ResourceRunners;
  /** Called after an app's service was removed or left a network, secret or config: it may be unused now. */
  onActionsRun?: (name: string) => void;
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

    const actions = planned.byApp.get(name) ?? [];
    const missing = await this.#options.resources.for(planned.plan).ensure(neededByActions(actions));
    if (missing.size > 0) {
      const message = missingResourceMessage(missing);
      this.#errors.set(name, message);
      return { result: "retry", error: new Error(message) };
    }
    const result = await this.#options.executor.run(name, actions, observed, log);
    if (mayLeaveUnused(actions, observed)) this.#options.onActionsRun?.(name);
    if (!result.ok) {
      this.#errors.set(name, result.message);
      return { result: result.retryable ? "retry" : "terminal", error: result.error };
    }
    this.#errors.delete(name);
    if (planned.plan.rejections.some((r) => r.app === name)) return { result: "terminal" };
    return { result: "ok" };
  }
}

const RESOURCE_FIELD = /^(networks|secrets|configs)\b/;

/** Whether the actions may have left a network, secret or config without users. */
function mayLeaveUnused(actions: readonly Action[], observed: ObservedState): boolean {
  return actions.some((a) => {
    if (a.kind === "update") return a.changes.some((c) => RESOURCE_FIELD.test(c.field));
    if (a.kind !== "remove") return false;
    const fields = observed.services.find((s) => s.id === a.serviceId)?.fields;
    return fields !== undefined && neededKeys(fields).length > 0;
  });
}
