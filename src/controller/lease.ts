import type { Logger } from "pino";
import { monotonicClock, type Clock } from "../domain/clock.js";
import type { LeaseRecord, StoredLease } from "../swarm/leaseRecord.js";
import { errorMessage } from "./errorMessage.js";
import type { LeaseElectorOptions, LeaseStatus, LeaseStore } from "./leaseTypes.js";

/**
 * Leader election on a lease with compare-and-set, like client-go's `leaderelection`: the holder
 * renews every `renewIntervalMs`; a standby takes the lease over when it is released (empty
 * holder) or when it has not changed for the holder's duration.
 *
 * Expiry is measured on the standby's own clock from when *it* saw the record change, never by
 * comparing the time written in the lease with its clock: controllers on machines whose clocks
 * disagree by minutes still never take the lease from a live holder. The price is that a standby
 * that starts while a dead holder's lease is in place waits one full duration before taking over.
 */
export class LeaseElector {
  readonly #store: LeaseStore;
  readonly #identity: string;
  readonly #durationMs: number;
  readonly #renewIntervalMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryIntervalMs: number;
  readonly #onStarted: LeaseElectorOptions["onStartedLeading"];
  readonly #onStopped: LeaseElectorOptions["onStoppedLeading"];
  readonly #onAccess: LeaseElectorOptions["onAccess"];
  readonly #log: Logger;
  readonly #clock: Clock;

  #leader = false;
  #terms = 0;
  /** Bumped on every change of leadership, so a renewal answered after a step-down is ignored. */
  #term = 0;
  /** The lease as last read or written by us. */
  #last: LeaseRecord | undefined;
  /** The lease version a standby last saw change, and when (its clock). */
  #seen: { version: number; holder: string; at: number } | undefined;
  #lastError: string | undefined;
  #tickTimer: unknown;
  #deadlineTimer: unknown;
  #stepping: Promise<void> = Promise.resolve();
  #ticking: Promise<void> = Promise.resolve();
  #started = false;
  #stopped = false;

  constructor(options: LeaseElectorOptions) {
    if (!(options.durationMs > 0)) {
      throw new TypeError(`Expected \`durationMs\` to be a positive number, got \`${options.durationMs}\``);
    }
    this.#store = options.store;
    this.#identity = options.identity;
    this.#durationMs = options.durationMs;
    this.#renewIntervalMs = options.renewIntervalMs ?? options.durationMs / 3;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? (options.durationMs * 2) / 3;
    this.#retryIntervalMs = options.retryIntervalMs ?? Math.min(options.durationMs / 3, 2000);
    this.#onStarted = options.onStartedLeading;
    this.#onStopped = options.onStoppedLeading;
    this.#onAccess = options.onAccess;
    this.#log = options.logger;
    this.#clock = options.clock ?? monotonicClock;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  status(): LeaseStatus {
    const status: LeaseStatus = {
      self: this.#identity,
      leader: this.#leader,
      durationSeconds: this.#durationMs / 1000,
      terms: this.#terms,
    };
    if (this.#last?.holder) {
      status.holder = this.#last.holder;
      status.renewed = this.#last.renewed;
    }
    if (this.#lastError !== undefined) status.lastError = this.#lastError;
    return status;
  }

  /** Starts competing for the lease: reads it at once, then keeps reading or renewing it. */
  start(): void {
    if (this.#started)
      throw new Error("Expected a lease elector to be started once, but start() was called again");
    this.#started = true;
    this.#schedule(0);
  }

  /**
   * Stops competing. A leader first stops leading (`onStoppedLeading`, so its in-flight work ends)
   * and then releases the lease, so a standby takes over at its next read instead of waiting for
   * the lease to expire.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clock.clearTimeout(this.#tickTimer);
    await this.#ticking;
    const wasLeader = this.#leader;
    if (wasLeader) this.#stepDown("stopping", "info");
    await this.#stepping;
    if (wasLeader) await this.#release();
  }

  async #release(): Promise<void> {
    try {
      const current = await this.#store.read();
      if (current?.holder !== this.#identity) return;
      const result = await this.#store.write(
        { holder: "", renewed: new Date().toISOString(), durationSeconds: current.durationSeconds },
        current.version,
      );
      if (result === "ok") this.#log.info("lease released");
    } catch (error) {
      // The standby then takes over when the lease expires instead.
      this.#log.warn({ error: errorMessage(error) }, "could not release the lease; it will expire");
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#tickTimer = this.#clock.setTimeout(
      () => {
        this.#ticking = this.#tick().finally(() => this.#schedule(this.#nextDelay()));
      },
      Math.max(0, ms),
    );
  }

  /** A standby reads again exactly when the lease it watches would expire, if that comes first. */
  #nextDelay(): number {
    // A leader whose renewal failed retries sooner, to renew before its deadline if it can.
    if (this.#leader) return this.#lastError === undefined ? this.#renewIntervalMs : this.#retryIntervalMs;
    const seen = this.#seen;
    if (seen === undefined || seen.holder === "") return this.#retryIntervalMs;
    const expiresIn = seen.at + this.#expiryMs() - this.#clock.now();
    return Math.min(this.#retryIntervalMs, Math.max(expiresIn, 10));
  }

  /** The duration the current holder promised (it may run with another --lease-duration). */
  #expiryMs(): number {
    return (this.#last?.durationSeconds ?? this.#durationMs / 1000) * 1000;
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    await this.#stepping;
    const term = this.#term;
    const sentAt = this.#clock.now();
    try {
      const current = await this.#bounded(this.#store.read(), "reading");
      if (this.#stopped || term !== this.#term) return;
      this.#last = current;
      if (this.#leader) await this.#renew(current, sentAt, term);
      else await this.#tryAcquire(current, sentAt);
      if (this.#lastError !== undefined) this.#log.info("the lease can be read and written again");
      this.#lastError = undefined;
      this.#onAccess?.(undefined);
    } catch (error) {
      const message = errorMessage(error);
      // Once per distinct error, not every retry: an outage would otherwise log every 2 s.
      const level = message === this.#lastError ? "debug" : "warn";
      this.#log[level]({ error: message, leader: this.#leader }, "could not read or write the lease");
      this.#lastError = message;
      this.#onAccess?.(error);
    }
  }

  async #renew(current: StoredLease | undefined, sentAt: number, term: number): Promise<void> {
    if (current !== undefined && current.holder !== this.#identity) {
      this.#stepDown(`the lease was taken over by ${current.holder || "nobody (released)"}`);
      return;
    }
    const result = await this.#write(current?.version);
    if (term !== this.#term) return; // stepped down (deadline) while the write was in flight
    if (result === "ok") this.#renewed(sentAt);
    // A conflict: someone wrote since our read; the next read tells whether we still hold it.
  }

  async #tryAcquire(current: StoredLease | undefined, sentAt: number): Promise<void> {
    if (current !== undefined && !this.#canTake(current)) return;
    const result = await this.#write(current?.version);
    if (this.#stopped) {
      // The stop came while the write was in flight: give back what we may just have taken.
      if (result === "ok") await this.#release();
      return;
    }
    if (result !== "ok") {
      this.#log.debug("another controller wrote the lease first");
      return;
    }
    this.#leader = true;
    this.#term++;
    this.#terms++;
    this.#renewed(sentAt);
    this.#log.info(
      { previousHolder: current?.holder || undefined, durationSeconds: this.#durationMs / 1000 },
      "lease acquired: this controller is the leader",
    );
    await this.#onStarted();
  }

  /** Free (released), ours (a renewal that landed after we gave up), or unchanged for its duration. */
  #canTake(current: StoredLease): boolean {
    if (current.holder === "" || current.holder === this.#identity) return true;
    const now = this.#clock.now();
    const seen = this.#seen;
    if (seen === undefined || seen.version !== current.version) {
      this.#seen = { version: current.version, holder: current.holder, at: now };
      return false;
    }
    return now - seen.at >= current.durationSeconds * 1000;
  }

  async #write(version: number | undefined): Promise<"ok" | "conflict"> {
    const record = {
      holder: this.#identity,
      renewed: new Date().toISOString(),
      durationSeconds: this.#durationMs / 1000,
    };
    const result = await this.#bounded(this.#store.write(record, version), "writing");
    if (result === "ok") this.#last = record;
    return result;
  }

  /**
   * A Docker call that never answers (a peer gone without a reset) must not stall the loop: it is
   * given up after the renew deadline. If it lands later, the next read sees it.
   */
  #bounded<T>(operation: Promise<T>, what: string): Promise<T> {
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(
        () => reject(new Error(`${what} the lease took longer than ${this.#renewDeadlineMs} ms`)),
        this.#renewDeadlineMs,
      );
    });
    return Promise.race([operation, timeout]).finally(() => this.#clock.clearTimeout(timer));
  }

  /** A renewal sent at `sentAt` succeeded: leadership lasts until `sentAt + renewDeadline`. */
  #renewed(sentAt: number): void {
    this.#clock.clearTimeout(this.#deadlineTimer);
    const term = this.#term;
    this.#deadlineTimer = this.#clock.setTimeout(
      () => {
        if (this.#leader && term === this.#term) {
          this.#stepDown(`no renewal succeeded for ${this.#renewDeadlineMs} ms`);
        }
      },
      sentAt + this.#renewDeadlineMs - this.#clock.now(),
    );
  }

  #stepDown(reason: string, level: "warn" | "info" = "warn"): void {
    if (!this.#leader) return;
    this.#leader = false;
    this.#term++;
    this.#seen = undefined;
    this.#clock.clearTimeout(this.#deadlineTimer);
    this.#log[level]({ reason }, "leadership ends: this controller stops reconciling");
    this.#stepping = Promise.resolve()
      .then(() => this.#onStopped(reason))
      .catch((error: unknown) => {
        this.#log.error({ error: errorMessage(error) }, "stopping the leader's work failed");
      });
  }
}
