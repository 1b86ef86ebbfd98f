import type { EngineClient } from "../swarm/engineClient.js";
import { dockerMessage, execute, isRetryable, observe } from "../swarm/index.js";
import type { SwarmPort } from "./converge.js";

/** The real Swarm behind `converge`. */
export function dockerSwarmPort(docker: EngineClient): SwarmPort {
  return {
    observe: () => observe(docker),
    execute: (action, observed) => execute(docker, action, observed),
    isRetryable,
    describeError: dockerMessage,
  };
}
