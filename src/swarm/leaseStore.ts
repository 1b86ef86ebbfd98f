import type Docker from "dockerode";
import { DockerError, dockerMessage, statusCodeOf, toDockerError } from "./errors.js";
import { LEASE_IMAGE, leaseFromLabels, leaseLabels, leaseServiceName } from "./leaseRecord.js";
import type { LeaseRecord, StoredLease } from "./leaseRecord.js";
import { createService } from "./createService.js";
import { updateService } from "./updateService.js";

export type LeaseWriteResult = "ok" | "conflict";

/**
 * Keeps an instance's controller lease in the Swarm's own state: the labels of a replicated
 * service with 0 replicas. Writes are compare-and-set on Swarm's version index: an update sent
 * with a stale version fails with "update out of sequence", and a create of a name that exists
 * fails with 409, so of two controllers racing for the lease exactly one wins.
 */
export class SwarmLeaseStore {
  readonly #docker: Docker;
  readonly #instance: string;
  readonly serviceName: string;

  constructor(docker: Docker, instance: string) {
    this.#docker = docker;
    this.#instance = instance;
    this.serviceName = leaseServiceName(instance);
  }

  /** The lease as stored, or undefined when no lease service exists yet. One inspect call. */
  async read(): Promise<StoredLease | undefined> {
    let service: Docker.Service;
    try {
      service = (await this.#docker.getService(this.serviceName).inspect()) as Docker.Service;
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw toDockerError(err, `cannot read the lease service ${this.serviceName}`);
    }
    const parsed = leaseFromLabels(service.Spec?.Labels ?? {}, service.Version?.Index ?? 0);
    if ("error" in parsed) {
      throw new DockerError(
        `the service ${this.serviceName} cannot hold this controller's lease: ${parsed.error}; remove or rename it, or run with another --instance`,
        { retryable: false },
      );
    }
    return parsed.lease;
  }

  /**
   * Writes `record` if the lease is still at `version` (undefined: only if no lease exists).
   * "conflict" means someone else wrote first: read again and decide.
   */
  async write(record: LeaseRecord, version: number | undefined): Promise<LeaseWriteResult> {
    const spec = {
      Name: this.serviceName,
      Labels: leaseLabels(this.#instance, record),
      TaskTemplate: { ContainerSpec: { Image: LEASE_IMAGE } },
      Mode: { Replicated: { Replicas: 0 } },
    };
    try {
      if (version === undefined) await createService(this.#docker, spec);
      else await updateService(this.#docker, this.serviceName, version, spec);
      return "ok";
    } catch (err) {
      const status = statusCodeOf(err);
      // 409: created by someone else first; 404: removed since we read it (re-read, then create).
      if (status === 409 || status === 404 || /update out of sequence/i.test(dockerMessage(err))) {
        return "conflict";
      }
      throw toDockerError(err, `cannot write the lease service ${this.serviceName}`);
    }
  }

  /** Removes the lease service (for tests and for uninstalling); absent is fine. */
  async remove(): Promise<void> {
    try {
      await this.#docker.getService(this.serviceName).remove();
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw toDockerError(err, `cannot remove ${this.serviceName}`);
    }
  }
}
