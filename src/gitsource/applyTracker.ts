import type { Logger } from "pino";
import { backgroundClock, type Clock, type TimerHandle } from "../domain/clock.js";
import { formatError, type DesiredState } from "../manifest/types.js";
import type { Plan } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";

export interface ApplyTrackerDeps {
  /** The commit `current` points to. */
  revision: () => string | undefined;
  observe: () => Promise<ObservedState>;
  plan: (desired: DesiredState, observed: ObservedState) => Plan;
  logger: Logger;
  /** Default: the system clock, with timers that never keep the process alive. */
  clock?: Clock;
}

export interface ApplyReport {
  /** The commit the daemon's manifests were last loaded from. */
  loadedRevision?: string;
  /** The last commit the Swarm fully matched. */
  appliedRevision?: string;
  appliedAt?: string;
  /** The current commit, when it has invalid manifests or rejected apps. */
  failedRevision?: string;
  /** Its invalid files (relative to the apps directory); their previous apps are kept. */
  failedFiles?: string[];
  /** Its errors and rejections, at most 20. */
  errors?: string[];
}

const MAX_ERRORS = 20;
/** After a new commit, how often and how long the tracker looks for it to be fully applied. */
const CHECK_EVERY_MS = 1000;
const CHECK_ATTEMPTS = 120;

/**
 * Knows which commit the loaded manifests came from and when the Swarm fully matches it. A commit
 * is *fully applied* when every manifest of it is valid and a fresh plan against the Swarm has
 * nothing left to do: no action, no rejection, no held-back removal. A commit with invalid files
 * or rejected apps is *failed*: its valid apps are applied all the same, the invalid files keep
 * their previous apps, and the last fully applied commit stays what it was.
 */
export class ApplyTracker {
  readonly #deps: ApplyTrackerDeps;
  #loaded: { revision: string; desired: DesiredState } | undefined;
  #applied: { revision: string; at: number } | undefined;
  #failed: { revision: string; files: string[]; errors: string[] } | undefined;
  #reportedFailure: string | undefined;
  #checking = false;
  #timer: TimerHandle;
  readonly #clock: Clock;
  #stopped = false;

  constructor(deps: ApplyTrackerDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? backgroundClock;
  }

  /** Records what the daemon just loaded, from which commit. */
  loaded(revision: string, desired: DesiredState): void {
    this.#loaded = { revision, desired };
  }

  /** The commit the daemon's current desired state came from (the `alacrity.revision` label). */
  get loadedRevision(): string | undefined {
    return this.#loaded?.revision;
  }

  get failed(): boolean {
    return this.#failed !== undefined && this.#failed.revision === this.#deps.revision();
  }

  report(): ApplyReport {
    const report: ApplyReport = {};
    if (this.#loaded) report.loadedRevision = this.#loaded.revision;
    if (this.#applied) {
      report.appliedRevision = this.#applied.revision;
      report.appliedAt = new Date(this.#applied.at).toISOString();
    }
    if (this.#failed && this.failed) {
      report.failedRevision = this.#failed.revision;
      report.failedFiles = this.#failed.files;
      report.errors = this.#failed.errors;
    }
    return report;
  }

  /** Checks now and then every second for a while, until the current commit is applied or failed. */
  checkSoon(): void {
    if (this.#stopped) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#loop(CHECK_ATTEMPTS);
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }

  async #loop(attempts: number): Promise<void> {
    if (this.#stopped || this.#checking) return;
    this.#checking = true;
    let outcome: "applied" | "failed" | "pending";
    try {
      outcome = await this.check();
    } catch (error) {
      this.#deps.logger.debug({ err: error }, "could not check whether the commit is applied");
      outcome = "pending";
    } finally {
      this.#checking = false;
    }
    if (outcome === "pending" && attempts > 1 && !this.#stopped) {
      this.#timer = this.#clock.setTimeout(() => void this.#loop(attempts - 1), CHECK_EVERY_MS);
    }
  }

  /** One check of the current commit against the Swarm. */
  async check(): Promise<"applied" | "failed" | "pending"> {
    const revision = this.#deps.revision();
    const loaded = this.#loaded;
    if (revision === undefined || loaded?.revision !== revision) return "pending";
    if (this.#applied?.revision === revision) return "applied";
    const errors = loaded.desired.errors.map(formatError);
    let plan: Plan | undefined;
    if (errors.length === 0) {
      plan = this.#deps.plan(loaded.desired, await this.#deps.observe());
      for (const r of plan.rejections) errors.push(`${r.app}: rejected: ${r.message}`);
    }
    if (errors.length > 0) {
      const files = [...loaded.desired.failedFiles].sort();
      this.#failed = { revision, files, errors: errors.slice(0, MAX_ERRORS) };
      if (this.#reportedFailure !== revision) {
        this.#reportedFailure = revision;
        this.#deps.logger.warn(
          { revision, failedFiles: files, errors: errors.slice(0, MAX_ERRORS) },
          "commit not fully applied: its valid apps are applied, invalid files keep their previous apps",
        );
      }
      return "failed";
    }
    if (!plan || plan.actions.length > 0 || plan.heldBack.length > 0) return "pending";
    this.#failed = undefined;
    this.#applied = { revision, at: this.#clock.now() };
    this.#deps.logger.info({ revision }, "commit fully applied");
    return "applied";
  }
}
