import type { ActionOutcome } from "../execute/appExecutor.js";
import { resourceKey, type ResourceOutcome } from "../execute/resourceRunner.js";

/**
 * One action the daemon ran, as its log line says it: what, on which app or resource, why, and how
 * it ended. Never a field's value (env values and secret contents may be secrets).
 */
export interface RecentAction {
  /** ISO time the action ended. */
  at: string;
  /** The app's name, or `network:NAME`, `secret:NAME`, `config:NAME`. */
  target: string;
  action: string;
  reason: string;
  result: "ok" | "retry" | "failed";
  durationMs: number;
  /** Docker's own message, for a failure. */
  error?: string;
  /** The fields an update changes (names only). */
  changed?: string[];
}

const DEFAULT_CAPACITY = 50;

/** The last actions the daemon ran, newest first, at most `capacity` of them (the log has all). */
export class RecentActions {
  readonly #capacity: number;
  readonly #now: () => number;
  #entries: RecentAction[] = [];

  constructor(options: { capacity?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.#now = options.now ?? Date.now;
  }

  app(end: ActionOutcome): void {
    const { action } = end;
    const entry = this.#entry(action.app, action.kind, action.reason, end);
    if (action.kind === "update") entry.changed = action.changes.map((c) => c.field);
    this.#push(entry);
  }

  resource(end: ResourceOutcome): void {
    this.#push(this.#entry(resourceKey(end.action), end.action.kind, end.action.reason, end));
  }

  /** Newest first. */
  list(): RecentAction[] {
    return [...this.#entries];
  }

  #entry(target: string, kind: string, reason: string, end: ActionOutcome | ResourceOutcome): RecentAction {
    const entry: RecentAction = {
      at: new Date(this.#now()).toISOString(),
      target,
      action: kind,
      reason,
      result: end.ok ? "ok" : "retryable" in end && end.retryable ? "retry" : "failed",
      durationMs: Math.round(end.durationMs),
    };
    if (end.error !== undefined) entry.error = end.error;
    return entry;
  }

  #push(entry: RecentAction): void {
    this.#entries.unshift(entry);
    if (this.#entries.length > this.#capacity) this.#entries.length = this.#capacity;
  }
}
