import type { Logger } from "pino";
import { statusCodeOf } from "../swarm/errors.js";
import type { Daemon } from "./daemon.js";
import type { Clock } from "../domain/clock.js";
import { LeaseElector } from "./lease.js";
import type { LeaseStatus, LeaseStore } from "./leaseTypes.js";
import { registerLeaseMetrics } from "./leaseMetrics.js";
import type { ControllerMetrics } from "./metrics.js";

export interface LeasedDaemonOptions {
  /** A new, not started daemon: one per leadership term, since a daemon starts only once. */
  newDaemon: () => Daemon;
  /** Called with each daemon once it is started (the Git source attaches to it). */
  onDaemonStarted?: (daemon: Daemon) => void;
  /** Without a lease, the daemon reconciles from the start (one controller per instance). */
  lease?: { store: LeaseStore; identity: string; durationMs: number; clock?: Clock };
  metrics: ControllerMetrics;
  logger: Logger;
}

/**
 * Runs the daemon only while this controller holds the instance's lease, so two controllers
 * started against one Swarm never fight: the standby keeps its HTTP endpoints up (healthy, not
 * ready) and starts a fresh daemon when it takes the lease over; a leader that loses the lease
 * stops its daemon at once.
 */
export class LeasedDaemon {
  readonly #options: LeasedDaemonOptions;
  readonly #elector: LeaseElector | undefined;
  readonly #log: Logger;
  #daemon: Daemon;
  /** Why the lease cannot be read when Docker does not answer at all; undefined otherwise. */
  #unreachable: string | undefined;

  constructor(options: LeasedDaemonOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#daemon = options.newDaemon();
    const lease = options.lease;
    if (lease) {
      this.#elector = new LeaseElector({
        ...lease,
        logger: options.logger.child({ component: "lease" }),
        onStartedLeading: () => this.#startTerm(),
        onStoppedLeading: () => this.#daemon.stop(),
        onAccess: (error) => this.#leaseAccessed(error),
      });
      registerLeaseMetrics(options.metrics.registry, () => this.#elector!.status());
    }
  }

  /** The daemon of the current (or last) term. */
  get daemon(): Daemon {
    return this.#daemon;
  }

  lease(): LeaseStatus | undefined {
    return this.#elector?.status();
  }

  /** Without a lease, starts the daemon (resolves after its first resync); else starts competing. */
  async start(): Promise<void> {
    if (!this.#elector) {
      await this.#daemon.start();
      this.#options.onDaemonStarted?.(this.#daemon);
      return;
    }
    this.#elector.start();
  }

  /** Stops the daemon (in-flight work finishes), then releases the lease for a standby. */
  async stop(): Promise<void> {
    if (this.#elector) await this.#elector.stop();
    await this.#daemon.stop();
  }

  readiness(): { ready: boolean; reason?: string } {
    const lease = this.#elector?.status();
    if (lease && !lease.leader && this.#unreachable !== undefined) {
      return {
        ready: false,
        reason: `Docker is not reachable: ${this.#unreachable} (standing by until the lease can be read)`,
      };
    }
    if (lease && !lease.leader) {
      const error = lease.lastError ? ` (last lease error: ${lease.lastError})` : "";
      if (lease.holder === lease.self) {
        // It could not renew in time, so it stopped; nobody else has taken the lease (yet).
        return {
          ready: false,
          reason: `standby: this controller's lease lapsed; it leads again once the lease can be renewed${error}`,
        };
      }
      const holder = lease.holder ? `the lease is held by ${lease.holder}` : "the lease is not held yet";
      return { ready: false, reason: `standby: ${holder}${error}` };
    }
    return this.#daemon.readiness();
  }

  /** A standby has no daemon to report that Docker is away: it says so itself, once per outage. */
  #leaseAccessed(error: unknown): void {
    const unreachable =
      error !== undefined && statusCodeOf(error) === undefined
        ? this.#elector?.status().lastError
        : undefined;
    if (unreachable !== undefined && this.#unreachable === undefined && !this.#elector?.isLeader) {
      this.#log.warn({ error: unreachable }, "Docker is not reachable; retrying");
    } else if (unreachable === undefined && this.#unreachable !== undefined && !this.#elector?.isLeader) {
      this.#log.info("Docker is reachable");
    }
    this.#unreachable = unreachable;
  }

  /**
   * Not awaited by the elector: a first resync of many apps can outlast the renew deadline, and
   * the lease must keep being renewed meanwhile.
   */
  #startTerm(): void {
    const daemon = this.#options.newDaemon();
    this.#daemon = daemon;
    daemon.start().then(
      () => this.#options.onDaemonStarted?.(daemon),
      (error: unknown) => this.#log.error({ err: error }, "the daemon could not start"),
    );
  }
}
