import type Docker from "dockerode";
import { connectDocker, dockerMessage, observe } from "../swarm/index.js";
import type { ObservedState } from "../swarm/types.js";
import { ExitError } from "./exitError.js";

/** Where Docker is, as the user would recognise it in an error message. */
export function dockerAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST?.trim() || "unix:///var/run/docker.sock";
}

export function openDocker(): Docker {
  return connectDocker(process.env);
}

/** Observes the Swarm, turning "Docker is not there" into a clear exit instead of a stack trace. */
export async function observeOrExit(docker: Docker): Promise<ObservedState> {
  try {
    return await observe(docker);
  } catch (err) {
    throw new ExitError(1, [
      `alacrity: cannot read the Swarm at ${dockerAddress()}: ${dockerMessage(err)}`,
      "  Is dockerd running and this host a Swarm manager? (DOCKER_HOST selects another engine.)",
    ]);
  }
}

/**
 * Starts reading the Swarm now, to be awaited later: the five list calls run while the manifests
 * load. The rejection (a clear ExitError) is only observed when awaited, not reported as unhandled.
 */
export function startObserving(docker: Docker): Promise<ObservedState> {
  const observing = observeOrExit(docker);
  observing.catch(() => undefined);
  return observing;
}
