import type Docker from "dockerode";
import { dockerMessage, execute, isRetryable, observe } from "../swarm/index.js";
import type { SwarmPort } from "./converge.js";

/** The real Swarm behind `converge`. */
export function dockerSwarmPort(docker: Docker): SwarmPort {
  return {
    observe: () => observe(docker),
    execute: (action, observed) => execute(docker, action, observed),
    executeResource: (action) => execute(docker, action),
    isRetryable,
    describeError: dockerMessage,
  };
}
