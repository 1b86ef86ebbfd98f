import type Docker from "dockerode";
import { connectDocker } from "./connect.js";

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

interface DialOptions {
  method?: string;
  path?: string;
}

type Modem = { dial: (options: DialOptions, callback: unknown) => unknown };

/**
 * Counts the HTTP requests a dockerode client makes, by wrapping its modem's `dial` (the one
 * function every API call goes through). For tests and the benchmark: it proves what a resync
 * costs in API calls.
 */
export function countRequests(docker: Docker): RequestCounter {
  const modem = docker.modem as unknown as Modem;
  const original = modem.dial;
  let requests: CountedRequest[] = [];
  modem.dial = function (this: unknown, options: DialOptions, callback: unknown) {
    const path = (options.path ?? "").split("?")[0]?.replace(/^\/v\d+\.\d+(?=\/)/, "") ?? "";
    requests.push({ method: (options.method ?? "GET").toUpperCase(), path });
    return original.call(this, options, callback);
  };
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
      modem.dial = original;
    },
  };
}

/** A client connected as `connectDocker(env)` would, with a request counter attached. */
export function countingDocker(env: NodeJS.ProcessEnv = process.env): {
  docker: Docker;
  counter: RequestCounter;
} {
  const docker = connectDocker(env);
  return { docker, counter: countRequests(docker) };
}
