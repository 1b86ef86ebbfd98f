import { missingResourceMessage } from "../execute/resourceRunner.js";
import type { DesiredState } from "../manifest/types.js";
import type { ObservedState } from "../swarm/types.js";
import type { PlanCache } from "./planCache.js";
import type { ResourceRunners } from "./resourceRunners.js";
import type { HandlerOutcome } from "./workQueue.js";

/**
 * The work-queue name of the networks, secrets and configs: not a valid app name (apps are
 * lowercase letters, digits and dashes), so it never collides with one.
 */
export const RESOURCES_KEY = "(networks, secrets and configs)";

/**
 * Reconciles what apps need besides their services: runs the plan's whole setup (a declared network
 * no app uses yet is created too) and then its cleanup (a secret no service uses any more is
 * removed). Apps ensure their own setup before their actions (`AppReconciler`); this one is queued
 * on every resync and after an app's service changed, which is when something may have become unused.
 */
export class ResourceReconciler {
  constructor(
    private readonly options: {
      desired(): DesiredState | undefined;
      observe(name: string): Promise<ObservedState>;
      plans: PlanCache;
      runners: ResourceRunners;
    },
  ) {}

  async reconcile(): Promise<HandlerOutcome> {
    const desired = this.options.desired();
    if (!desired) return { result: "retry", error: new Error("the manifests have not been loaded yet") };
    let observed: ObservedState;
    try {
      observed = await this.options.observe(RESOURCES_KEY);
    } catch (error) {
      return { result: "retry", error };
    }
    const { plan } = this.options.plans.planFor(desired, observed);
    const runner = this.options.runners.for(plan);
    const failures = await runner.all();
    const cleanup = await runner.cleanup(plan.cleanup ?? []);
    const failedCleanup = cleanup.find((o) => !o.ok);
    if (failures.size > 0) return { result: "retry", error: new Error(missingResourceMessage(failures)) };
    if (failedCleanup) return { result: "retry", error: new Error(failedCleanup.error) };
    return { result: "ok" };
  }
}
