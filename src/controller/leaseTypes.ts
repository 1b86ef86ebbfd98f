import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import type { LeaseRecord, StoredLease } from "../swarm/leaseRecord.js";

/*
 * What the lease elector (lease.ts) is given and what it reports: its store, its settings, its
 * status, and the identity a controller holds the lease under.
 */

/** Where the lease is kept; the real one is `SwarmLeaseStore` (a service's labels). */
export interface LeaseStore {
  /** The lease as stored, or undefined when there is none yet. */
  read(): Promise<StoredLease | undefined>;
  /** Compare-and-set: writes if the lease is still at `version` (undefined: only if none exists). */
  write(record: LeaseRecord, version: number | undefined): Promise<"ok" | "conflict">;
}

export interface LeaseElectorOptions {
  store: LeaseStore;
  /** This controller's name in the lease: `hostname/pid/random`, unique per process. */
  identity: string;
  /** How long a lease lasts without a renewal. */
  durationMs: number;
  /** How often the holder renews. Default a third of the duration. */
  renewIntervalMs?: number;
  /**
   * The holder gives up leading when no renewal has succeeded for this long (counted from when
   * the last successful renewal was *sent*). Shorter than the duration, so that the holder has
   * stopped before any standby can see the lease as expired. Default two thirds of the duration.
   */
  renewDeadlineMs?: number;
  /** How often a standby reads the lease. Default a third of the duration, at most 2 s. */
  retryIntervalMs?: number;
  /** Called when this controller becomes the leader: start reconciling. */
  onStartedLeading: () => void | Promise<void>;
  /** Called when it stops leading; the elector tries to lead again only after this resolves. */
  onStoppedLeading: (reason: string) => void | Promise<void>;
  /** Called after every access to the store: with the error when it failed, else with undefined. */
  onAccess?: (error: unknown) => void;
  logger: Logger;
  /**
   * Measures intervals on this machine only (never compared with another machine's clock).
   * Default: the monotonic clock, so that setting the wall clock cannot expire a lease.
   */
  clock?: Clock;
}

/** The elector's view, for `/status`, `/readyz` and `/metrics`. */
export interface LeaseStatus {
  /** This controller's identity. */
  self: string;
  leader: boolean;
  /** Who holds the lease as last read; undefined before the first read or when released. */
  holder?: string;
  /** The holder's last renewal as it wrote it (its clock). */
  renewed?: string;
  durationSeconds: number;
  /** Times this controller became the leader. */
  terms: number;
  /** The last error reading or writing the lease, until an access succeeds. */
  lastError?: string;
}

/** `hostname/pid/random`: unique per process, readable in `status` and logs. */
export function leaseIdentity(hostname: string, pid: number, random: () => number = Math.random): string {
  return `${hostname}/${pid}/${Math.floor(random() * 0x1_000_000)
    .toString(16)
    .padStart(6, "0")}`;
}
