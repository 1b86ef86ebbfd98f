import type { Logger } from "pino";
import { sleep, systemClock, type Clock } from "../domain/clock.js";
import type { Action } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";

/** What executing needs from the Swarm; the real one is in src/swarm, tests may count calls. */
export interface ActionPort {
  /** Performs one action; `observed` is the state it was planned from. */
  execute(action: Action, observed: ObservedState): Promise<void>;
  /** True when re-observing and trying again can fix the error (e.g. "update out of sequence"). */
  isRetryable(err: unknown): boolean;
  /** The error as the user should read it (Docker's own message). */
  describeError(err: unknown): string;
}

export interface ActionOutcome {
  action: Action;
  ok: boolean;
  error?: string;
  /** Whether the failure is retryable; only set when `ok` is false. */
  retryable?: boolean;
  durationMs: number;
}

/** How one app's run ended: every action done, or the failure that stopped it. */
export type AppRunResult = { ok: true } | { ok: false; error: unknown; message: string; retryable: boolean };

/** The app's actions planned again from a new observation, after a retryable failure. */
export interface Replanned {
  actions: readonly Action[];
  observed: ObservedState;
}

export interface AppExecutorOptions {
  port: ActionPort;
  clock?: Clock;
  /**
   * Level of the line logged for each action that succeeds: the daemon's log is its only report,
   * while `apply` prints its own (at info, a 1000-app apply spent 8-13 % of its time logging).
   */
  okLevel: "info" | "debug";
  /**
   * Attempts per app when the Swarm answers with a retryable error. Default 1: the caller retries
   * (the daemon's work queue does, with backoff).
   */
  maxAttempts?: number;
  /** Re-observes and re-plans one app before another attempt; needed when `maxAttempts` > 1. */
  replan?: (app: string) => Promise<Replanned>;
  /** Called after every action, whatever its result. */
  onAction?: (outcome: ActionOutcome) => void;
}

/**
 * The app's logger, or its parent (`childOf`) and the child's bindings: the child is then made only when a
 * line is logged. A pino child costs the serialisation and redaction of its bindings, and a cold
 * `apply` of 1000 apps that succeeds logs nothing at its default level.
 */
export type AppLog = Logger | { childOf: Logger; bindings: Record<string, unknown> };

interface LazyLogger {
  enabled(level: "info" | "debug"): boolean;
  get(): Logger;
}

function lazyLogger(log: AppLog): LazyLogger {
  if (!("childOf" in log)) return { enabled: (level) => log.isLevelEnabled(level), get: () => log };
  let child: Logger | undefined;
  return {
    enabled: (level) => log.childOf.isLevelEnabled(level),
    get: () => (child ??= log.childOf.child(log.bindings)),
  };
}

/** The pause before attempt `attempt + 1`: 100 ms, doubling. */
function retryDelayMs(attempt: number): number {
  return 100 * 2 ** (attempt - 1);
}

/**
 * Executes one app's actions in order, for `apply` and the daemon alike: each action is timed,
 * reported and logged (never with field values: env values may be secrets), and the first failure
 * stops the app, since its later actions depend on it (a pin precedes its create). A retryable
 * failure (the service changed since it was observed) re-observes and re-plans that app alone, so
 * a concurrent edit is never clobbered, up to `maxAttempts`.
 */
export class AppExecutor {
  readonly #port: ActionPort;
  readonly #clock: Clock;
  readonly #okLevel: "info" | "debug";
  readonly #maxAttempts: number;
  readonly #replan: AppExecutorOptions["replan"];
  readonly #onAction: AppExecutorOptions["onAction"];

  constructor(options: AppExecutorOptions) {
    const maxAttempts = options.maxAttempts ?? 1;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new TypeError(
        `Expected \`maxAttempts\` to be an integer from 1 and up, got \`${String(maxAttempts)}\``,
      );
    }
    if (maxAttempts > 1 && options.replan === undefined) {
      throw new TypeError(`Expected a \`replan\` function with \`maxAttempts\` ${maxAttempts}, got none`);
    }
    this.#port = options.port;
    this.#clock = options.clock ?? systemClock;
    this.#okLevel = options.okLevel;
    this.#maxAttempts = maxAttempts;
    this.#replan = options.replan;
    this.#onAction = options.onAction;
  }

  /** Runs `actions` (all of `app`) planned from `observed`, logging to `log` (see {@link AppLog}). */
  async run(
    app: string,
    actions: readonly Action[],
    observed: ObservedState,
    log: AppLog,
  ): Promise<AppRunResult> {
    const logger = lazyLogger(log);
    let planned: Replanned = { actions, observed };
    for (let attempt = 1; ; attempt++) {
      const result = await this.#runOnce(planned, logger);
      if (result.ok || !result.retryable || attempt >= this.#maxAttempts || !this.#replan) return result;
      await sleep(this.#clock, retryDelayMs(attempt));
      planned = await this.#replan(app);
      if (planned.actions.length === 0) return { ok: true };
    }
  }

  async #runOnce({ actions, observed }: Replanned, logger: LazyLogger): Promise<AppRunResult> {
    for (const action of actions) {
      const started = this.#clock.now();
      try {
        await this.#port.execute(action, observed);
      } catch (error) {
        const durationMs = this.#clock.now() - started;
        const retryable = this.#port.isRetryable(error);
        const message = this.#port.describeError(error);
        this.#onAction?.({ action, ok: false, error: message, retryable, durationMs });
        const log = logger.get();
        log[retryable ? "warn" : "error"](
          { ...describeAction(action), result: retryable ? "retry" : "failed", durationMs, error: message },
          `${action.kind} failed`,
        );
        return { ok: false, error, message, retryable };
      }
      const durationMs = this.#clock.now() - started;
      this.#onAction?.({ action, ok: true, durationMs });
      // A 1000-app apply logs its successes at debug, normally off: skip building the lines then.
      if (logger.enabled(this.#okLevel)) {
        const log = logger.get();
        log[this.#okLevel]({ ...describeAction(action), result: "ok", durationMs }, `${action.kind} done`);
      }
    }
    return { ok: true };
  }
}

/** The loggable part of an action: never field values (env values may be secrets). */
export function describeAction(action: Action): Record<string, unknown> {
  const base: Record<string, unknown> = { action: action.kind, reason: action.reason };
  if (action.kind === "update") base.changed = action.changes.map((c) => c.field);
  if (action.kind === "scale") Object.assign(base, { from: action.from, to: action.to });
  if (action.kind === "pin") base.node = action.hostname;
  if (action.kind === "hold") Object.assign(base, { hash: action.hash, swarmReason: action.swarmReason });
  return base;
}
