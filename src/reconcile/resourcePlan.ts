import type { AppSpec, DesiredState } from "../manifest/types.js";
import type { ObservedState } from "../swarm/types.js";
import type { ResourceView } from "../rules/resources.js";
import { planContents } from "./contents.js";
import { planNetworks } from "./networks.js";
import { resourceUse } from "./resourceUse.js";
import type { Action, PlanOptions, PlanWarning, ResourceAction } from "./types.js";

/** What the resource rules read (src/rules/resources.ts), built once per plan. */
export function resourceView(
  desired: DesiredState,
  observed: ObservedState,
  options: PlanOptions,
): ResourceView {
  return {
    networks: desired.networks,
    secrets: desired.secrets,
    configs: desired.configs,
    swarmNetworks: new Set((observed.networks ?? []).map((n) => n.name)),
    swarmSecrets: new Set((observed.secrets ?? []).map((c) => c.name)),
    swarmConfigs: new Set((observed.configs ?? []).map((c) => c.name)),
    contents: options.contents,
  };
}

/**
 * Whether this pass may remove networks, secrets and configs: not when it holds back app
 * removals (the empty-directory and mass-prune guards), nor when the directory is empty or
 * missing, nor while any file fails: the broken file may be the one declaring them, and a broken
 * or empty directory never removes anything.
 */
export function mayRemoveResources(
  desired: DesiredState,
  options: PlanOptions,
  heldBack: readonly Action[],
): boolean {
  const empty = (desired.fileCount === 0 || desired.missing) && !options.allowEmpty;
  return heldBack.length === 0 && !empty && desired.invalid.length === 0 && desired.failedFiles.size === 0;
}

/**
 * Networks, secrets and configs for the apps planned (those that got through every rule), given
 * the apps' actions: setup creates what they need, cleanup removes what nothing uses after them.
 */
export function planResources(
  desired: DesiredState,
  observed: ObservedState,
  options: PlanOptions,
  planned: readonly AppSpec[],
  actions: readonly Action[],
  heldBack: readonly Action[],
): { setup: ResourceAction[]; cleanup: ResourceAction[]; warnings: PlanWarning[] } {
  const now = resourceUse(observed, options.instance);
  const after = resourceUse(observed, options.instance, actions);
  const networks = planNetworks(desired, observed, options.instance, planned, now.networks, after.networks);
  const contents = planContents(observed, options, planned, after);
  const setup = [...networks.setup, ...contents.setup];
  const cleanup = [...networks.cleanup, ...contents.cleanup];
  const warnings = [...networks.warnings, ...contents.warnings];
  if (cleanup.length > 0 && !mayRemoveResources(desired, options, heldBack)) {
    warnings.push({
      message:
        `not removing ${cleanup.length} unused network(s), secret(s) or config(s) (${cleanup.map((a) => ("name" in a ? a.name : a.network.name)).join(", ")}): ` +
        `this pass holds back removals, or a manifest file fails or the apps directory is empty; they go once it is fixed`,
    });
    return { setup, cleanup: [], warnings };
  }
  return { setup, cleanup, warnings };
}
