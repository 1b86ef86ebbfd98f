import type Docker from "dockerode";
import { DockerError, dockerMessage, statusCodeOf, toDockerError } from "./errors.js";
import type { SwarmAction } from "./types.js";

type CreateContent = Extract<SwarmAction, { kind: "create-content" }>;

/**
 * Creates a secret or config. Its name carries the hash of its content, so one that already
 * exists under that name (409) holds the same bytes: that is success. The value is read only
 * here, into the request body, and appears in no message.
 */
export async function createContent(docker: Docker, action: CreateContent): Promise<void> {
  const spec = {
    Name: action.name,
    Labels: { ...action.labels },
    Data: action.value.read().toString("base64"),
  };
  try {
    if (action.of === "secret") await docker.createSecret(spec);
    else await docker.createConfig(spec);
  } catch (err) {
    if (statusCodeOf(err) === 409) return;
    throw toDockerError(err, `cannot create ${action.of} ${action.name}`);
  }
}

/**
 * Removes a secret or config; already gone is fine. One that a service still mounts cannot go:
 * Swarm's own message names the services, and the error says what to do.
 */
export async function removeContent(
  docker: Docker,
  of: "secret" | "config",
  id: string,
  name: string,
): Promise<void> {
  try {
    if (of === "secret") await docker.getSecret(id).remove();
    else await docker.getConfig(id).remove();
  } catch (err) {
    const status = statusCodeOf(err);
    if (status === 404) return;
    const message = dockerMessage(err);
    if (/in use/i.test(message)) {
      throw new DockerError(
        `cannot remove ${of} ${name}: ${message}; remove it from those apps' spec.${of}s first`,
        { statusCode: status, retryable: false, cause: err },
      );
    }
    throw toDockerError(err, `cannot remove ${of} ${name}`);
  }
}
