import { groupByApp } from "../execute/groupByApp.js";
import type { DesiredState } from "../manifest/types.js";
import type { Action, Plan } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";

export interface PlannedState {
  plan: Plan;
  /** The plan's actions per app, in order. */
  byApp: Map<string, Action[]>;
}

/**
 * The plan of one (observed snapshot, desired state) pair. The planner is pure and plans the whole
 * state, so every reconcile sharing a snapshot and a desired state would compute the same plan:
 * planning it once per pair instead of once per app turns a start-up of 1000 apps from 1000
 * whole-state plans (O(N²)) into a handful.
 */
export class PlanCache {
  readonly #plan: (desired: DesiredState, observed: ObservedState) => Plan;
  readonly #onPlanned: (plan: Plan) => void;
  #cached: (PlannedState & { observed: ObservedState; desired: DesiredState }) | undefined;
  #last: Plan | undefined;

  /** `onPlanned` is called with each new plan (not with one served from the cache). */
  constructor(
    plan: (desired: DesiredState, observed: ObservedState) => Plan,
    onPlanned: (plan: Plan) => void,
  ) {
    this.#plan = plan;
    this.#onPlanned = onPlanned;
  }

  /** The latest plan, for `status`. */
  get last(): Plan | undefined {
    return this.#last;
  }

  /** The plan of this pair, planned once; what the planner throws is thrown. */
  planFor(desired: DesiredState, observed: ObservedState): PlannedState {
    const cached = this.#cached;
    if (cached && cached.observed === observed && cached.desired === desired) return cached;
    const plan = this.#plan(desired, observed);
    this.#cached = { observed, desired, plan, byApp: groupByApp(plan.actions) };
    this.#last = plan;
    this.#onPlanned(plan);
    return this.#cached;
  }
}
