import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { ResourceRunner, type ResourceOutcome, type ResourcePort } from "../execute/resourceRunner.js";
import type { Plan } from "../reconcile/types.js";

/**
 * One `ResourceRunner` per plan: the apps reconciled from one plan share its setup, so a network
 * that ten apps need is created once, and a later plan (a new snapshot) starts afresh.
 */
export class ResourceRunners {
  readonly #runners = new WeakMap<Plan, ResourceRunner>();

  constructor(
    private readonly options: {
      port: ResourcePort;
      logger: Logger;
      clock: Clock;
      onOutcome: (outcome: ResourceOutcome) => void;
    },
  ) {}

  for(plan: Plan): ResourceRunner {
    let runner = this.#runners.get(plan);
    if (!runner) {
      runner = new ResourceRunner({ ...this.options, setup: plan.setup ?? [] });
      this.#runners.set(plan, runner);
    }
    return runner;
  }
}
