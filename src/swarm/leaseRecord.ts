import { createHash } from "node:crypto";

/**
 * The controller lease as it is kept in the Swarm: the labels of a service that never runs a task.
 * Pure conversions between those labels and a record; the Docker calls are in leaseStore.ts.
 */
export interface LeaseRecord {
  /** Who holds the lease (`hostname/pid/random`); empty when it was released. */
  holder: string;
  /** ISO time of the holder's last renewal, by the holder's clock (informative only: see lease.ts). */
  renewed: string;
  /** How long the holder promised its lease lasts without a renewal. */
  durationSeconds: number;
}

export interface StoredLease extends LeaseRecord {
  /** Swarm's version index of the lease service: the compare-and-set token. */
  version: number;
}

export const LEASE_LABEL = {
  lease: "alacrity.lease",
  instance: "alacrity.instance",
  holder: "alacrity.lease.holder",
  renewed: "alacrity.lease.renewed",
  duration: "alacrity.lease.duration-seconds",
} as const;

/** Never pulled: the service has 0 replicas, so Swarm never starts a task from it. */
export const LEASE_IMAGE = "alacrity/lease:none";

const SERVICE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const PREFIX = "alacrity-lease--";

/**
 * The lease service of an instance: `alacrity-lease--<instance>`. An instance name Swarm would not
 * accept in a service name (or too long for its 63 characters) is replaced by a hash of it.
 */
export function leaseServiceName(instance: string): string {
  const name = `${PREFIX}${instance}`;
  if (name.length <= 63 && SERVICE_NAME.test(instance)) return name;
  return `${PREFIX}${createHash("sha256").update(instance).digest("hex").slice(0, 16)}`;
}

/** The labels that hold `record`. Deliberately without `alacrity.managed`: no planner touches it. */
export function leaseLabels(instance: string, record: LeaseRecord): Record<string, string> {
  return {
    [LEASE_LABEL.lease]: "true",
    [LEASE_LABEL.instance]: instance,
    [LEASE_LABEL.holder]: record.holder,
    [LEASE_LABEL.renewed]: record.renewed,
    [LEASE_LABEL.duration]: String(record.durationSeconds),
  };
}

/**
 * The record held by a lease service's labels, or an error message when the service is not a
 * lease (someone else's service with that name) or its labels were edited into nonsense.
 */
export function leaseFromLabels(
  labels: Record<string, string>,
  version: number,
): { lease: StoredLease } | { error: string } {
  if (labels[LEASE_LABEL.lease] !== "true") {
    return { error: `it is not an AlaCrity lease (no label ${LEASE_LABEL.lease}=true)` };
  }
  const durationSeconds = Number(labels[LEASE_LABEL.duration]);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    return {
      error: `label ${LEASE_LABEL.duration} must be a positive number of seconds, got ${JSON.stringify(labels[LEASE_LABEL.duration] ?? null)}`,
    };
  }
  return {
    lease: {
      holder: labels[LEASE_LABEL.holder] ?? "",
      renewed: labels[LEASE_LABEL.renewed] ?? "",
      durationSeconds,
      version,
    },
  };
}
