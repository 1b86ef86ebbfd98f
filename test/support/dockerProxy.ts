import { rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import type { Socket } from "node:net";

export interface ProxyRequest {
  method: string;
  /** Path without the query string and without an API version prefix. */
  path: string;
  /** The request target as sent: the path with its query string and any API version prefix. */
  target: string;
  /** When the request line crossed the proxy (Date.now()). */
  at: number;
  /** The request line and headers as sent (latin1), when they reached the proxy in one chunk. */
  head?: string;
}

/**
 * A failure the proxy injects instead of forwarding a request: `drop` closes the connection as
 * soon as the request is seen (the client gets "socket hang up" / ECONNRESET, like a dying
 * dockerd); `status` answers with an HTTP error and Docker's JSON body `{"message": ...}` without
 * Docker ever seeing the request. `match` picks the requests (default: all); `rate` is the
 * fraction of matching requests hit, spread evenly and deterministically (default 1: all).
 */
export type ProxyFault =
  | { kind: "drop"; match?: (req: ProxyRequest) => boolean; rate?: number }
  | {
      kind: "status";
      status: number;
      message: string;
      match?: (req: ProxyRequest) => boolean;
      rate?: number;
    };

export interface DockerProxy {
  /** `unix://...`, for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly requests: readonly ProxyRequest[];
  /** Connections clients opened to the proxy since the last reset: keep-alive keeps this low. */
  readonly connections: number;
  reset(): void;
  /** Requests other than GET (i.e. changes). */
  writes(): ProxyRequest[];
  /** Requests the current or an earlier fault answered instead of Docker (reset by `reset()`). */
  readonly faulted: readonly ProxyRequest[];
  /** Starts injecting `fault`, or heals the proxy with `undefined`. Applies to new requests. */
  setFault(fault: ProxyFault | undefined): void;
  close(): Promise<void>;
}

export interface DockerProxyOptions {
  socketPath: string;
  upstream?: string;
  /** Delay added before each request is forwarded (a slow Docker API). */
  delayMs?: number;
  /** A fault injected from the start (see `setFault`). */
  fault?: ProxyFault;
  /**
   * Runs before a request is forwarded, and the request waits for it: e.g. a hand edit of the
   * service an update is about to change, to make a conflict happen exactly there.
   */
  beforeForward?: (req: ProxyRequest) => Promise<void> | void;
}

const REQUEST_LINE = /(GET|POST|PUT|DELETE|HEAD) (\/[^\s]*) HTTP\/1\.[01]\r\n/g;

/**
 * A counting proxy in front of the Docker socket: every HTTP request that crosses it is recorded,
 * so a test or the benchmark counts what a whole process (the CLI, the daemon) really asks of
 * Docker. Requests are recognised by their request line in the client's byte stream.
 */
export async function startDockerProxy(options: DockerProxyOptions): Promise<DockerProxy> {
  const upstream = options.upstream ?? "/var/run/docker.sock";
  let requests: ProxyRequest[] = [];
  let faulted: ProxyRequest[] = [];
  let connections = 0;
  let fault = options.fault;
  /** Matching requests seen under the current fault, for an even, deterministic `rate`. */
  let matched = 0;
  const sockets = new Set<Socket>();

  const hits = (req: ProxyRequest): boolean => {
    if (!fault || !(fault.match?.(req) ?? true)) return false;
    const rate = fault.rate ?? 1;
    const i = matched++;
    return Math.floor((i + 1) * rate) > Math.floor(i * rate);
  };

  const answer = (client: Socket, status: number, message: string): void => {
    const body = JSON.stringify({ message });
    client.end(
      `HTTP/1.1 ${status} Injected\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
  rmSync(options.socketPath, { force: true });

  const server = createServer((client: Socket) => {
    connections++;
    const docker = createConnection(upstream);
    sockets.add(client).add(docker);
    let carry = "";
    // Once a fault answered on this connection, nothing more of it reaches Docker.
    let cut = false;
    // Chunks are forwarded in order, each after the hooks of the requests it starts.
    let forwarding: Promise<void> = Promise.resolve();
    client.on("data", (chunk: Buffer) => {
      if (cut) return;
      // Keep the tail of the previous chunk so a request line split across chunks is still seen.
      const text = carry + chunk.toString("latin1");
      const hooks: ProxyRequest[] = [];
      for (const match of text.matchAll(REQUEST_LINE)) {
        const target = match[2] ?? "";
        const path = target.split("?")[0]!.replace(/^\/v\d+\.\d+(?=\/)/, "");
        const req: ProxyRequest = { method: match[1]!, path, target, at: Date.now() };
        const headEnd = text.indexOf("\r\n\r\n", match.index);
        if (headEnd !== -1) req.head = text.slice(match.index, headEnd);
        requests.push(req);
        if (!cut && fault && hits(req)) {
          cut = true;
          faulted.push(req);
          docker.unpipe(client);
          docker.destroy();
          if (fault.kind === "drop") client.destroy();
          else answer(client, fault.status, fault.message);
        }
        if (!cut) hooks.push(req);
      }
      if (cut) return;
      const lastBreak = text.lastIndexOf("\r\n");
      carry = text.slice(lastBreak + 2).slice(-512);
      const forward = (): void => {
        docker.write(chunk);
      };
      const hook = options.beforeForward;
      if (hook && hooks.length > 0) {
        forwarding = forwarding
          .then(async () => {
            for (const req of hooks) await hook(req);
          })
          .catch(() => undefined)
          .then(() => (options.delayMs ? new Promise((r) => setTimeout(r, options.delayMs)) : undefined))
          .then(forward);
      } else if (hook) {
        forwarding = forwarding.then(forward);
      } else if (options.delayMs) setTimeout(forward, options.delayMs);
      else forward();
    });
    docker.pipe(client);
    const close = (): void => {
      client.destroy();
      docker.destroy();
      sockets.delete(client);
      sockets.delete(docker);
    };
    client.on("close", close).on("error", close);
    // After an injected answer, Docker's side is gone but the answer must still reach the client.
    const dockerGone = (): void => {
      if (!cut) close();
    };
    docker.on("close", dockerGone).on("error", dockerGone);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, resolve);
  });
  return {
    dockerHost: `unix://${options.socketPath}`,
    get requests() {
      return requests;
    },
    get faulted() {
      return faulted;
    },
    get connections() {
      return connections;
    },
    reset() {
      requests = [];
      faulted = [];
      connections = 0;
    },
    setFault(next) {
      fault = next;
      matched = 0;
    },
    writes: () => requests.filter((r) => r.method !== "GET"),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
