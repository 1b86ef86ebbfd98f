import type { DesiredState } from "../manifest/types.js";
import type { ObservedState } from "../swarm/types.js";
import { plan } from "./plan.js";
import type { PlanOptions } from "./types.js";

/**
 * What is wrong with `apply --retry APP...`: an app no manifest defines, or one that is not held
 * (nothing to retry: its spec was not rolled back, or the manifest changed since). Empty when
 * every name may be retried. The hold is the planner's own decision, so it is asked, not copied.
 */
export function retryProblems(
  names: readonly string[],
  desired: DesiredState,
  observed: ObservedState,
  options: PlanOptions,
): string[] {
  const { retry: _ignored, ...withoutRetry } = options;
  const held = new Set((plan(desired, observed, withoutRetry).held ?? []).map((h) => h.app));
  return [...new Set(names)].flatMap((name) => {
    if (!desired.apps.has(name)) {
      return [`--retry ${name}: no manifest defines an app named ${name}; name an app held after a rollback`];
    }
    if (!held.has(name)) {
      return [
        `--retry ${name}: ${name} is not held (Swarm did not roll back its manifest's spec, or the manifest ` +
          `changed since); a plain apply applies it`,
      ];
    }
    return [];
  });
}
