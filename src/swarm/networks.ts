import type Docker from "dockerode";
import { DockerError, dockerMessage, statusCodeOf, toDockerError } from "./errors.js";
import type { NetworkFields } from "./types.js";

/**
 * Creates a managed overlay network. `CheckDuplicate` makes a second create with the same name
 * fail (409) instead of making a twin that Swarm could not tell apart by name.
 */
export async function createNetwork(docker: Docker, network: NetworkFields): Promise<void> {
  try {
    await docker.createNetwork({
      Name: network.name,
      Driver: "overlay",
      CheckDuplicate: true,
      Attachable: network.attachable,
      Internal: network.internal,
      // The overlay driver reads the option's presence, not its value (`--opt encrypted`).
      Options: network.encrypted ? { encrypted: "" } : {},
      Labels: { ...network.labels },
    });
  } catch (err) {
    throw toDockerError(err, `cannot create network ${network.name}`);
  }
}

/**
 * Removes a network; already gone is what we wanted. A network that services still use cannot
 * go: the error names them, and is not retried (it stays until they leave it).
 */
export async function removeNetwork(docker: Docker, networkId: string, name: string): Promise<void> {
  try {
    await docker.getNetwork(networkId).remove();
  } catch (err) {
    const status = statusCodeOf(err);
    if (status === 404) return;
    if (status === 403 || status === 409 || /in use|active endpoints/i.test(dockerMessage(err))) {
      const users = await servicesOn(docker, networkId);
      const who = users.length > 0 ? `services ${users.join(", ")} still use it` : dockerMessage(err);
      throw new DockerError(
        `cannot remove network ${name}: ${who}; remove it from their spec.networks (or remove them) first`,
        { statusCode: status, retryable: false, cause: err },
      );
    }
    throw toDockerError(err, `cannot remove network ${name}`);
  }
}

/** The names of the services attached to a network, for the "in use" error; [] when unknown. */
async function servicesOn(docker: Docker, networkId: string): Promise<string[]> {
  try {
    const services = await docker.listServices();
    return services
      .filter((service) =>
        (service.Spec?.TaskTemplate?.Networks ?? []).some((network) => network.Target === networkId),
      )
      .map((service) => service.Spec?.Name ?? service.ID)
      .sort();
  } catch {
    return [];
  }
}
