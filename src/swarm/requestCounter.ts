import { connectDocker } from "./connect.js";
import type { EngineClient } from "./engineClient.js";

export interface CountedRequest {
  method: string;
  /** The API path without the query string or a version prefix, e.g. `/services`, `/services/ID/update`. */
  path: string;
}

export interface RequestCounter {
  /** Every request made since the last reset, in order. */
  readonly requests: readonly CountedRequest[];
  /** Requests per `METHOD /path`. */
  counts(): Map<string, number>;
  total(): number;
  reset(): void;
  /** Stops counting: the client is left as it was. */
  restore(): void;
}

/**
 * Counts the HTTP requests a client makes (every API call goes through one hook). For tests and
 * the benchmark: it proves what a resync costs in API calls.
 */
export function countRequests(docker: EngineClient): RequestCounter {
  let requests: CountedRequest[] = [];
  const stop = docker.observeRequests((method, path) => {
    requests.push({ method, path });
  });
  return {
    get requests() {
      return requests;
    },
    counts() {
      const counts = new Map<string, number>();
      for (const request of requests) {
        const key = `${request.method} ${request.path}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    total: () => requests.length,
    reset() {
      requests = [];
    },
    restore() {
      stop();
    },
  };
}

/** A client connected as `connectDocker(env)` would, with a request counter attached. */
export function countingDocker(env: NodeJS.ProcessEnv = process.env): {
  docker: EngineClient;
  counter: RequestCounter;
} {
  const docker = connectDocker(env);
  return { docker, counter: countRequests(docker) };
}
