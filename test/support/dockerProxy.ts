import { rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import type { Socket } from "node:net";

export interface ProxyRequest {
  method: string;
  /** Path without the query string and without an API version prefix. */
  path: string;
}

export interface DockerProxy {
  /** `unix://...`, for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly requests: readonly ProxyRequest[];
  reset(): void;
  /** Requests other than GET (i.e. changes). */
  writes(): ProxyRequest[];
  close(): Promise<void>;
}

export interface DockerProxyOptions {
  socketPath: string;
  upstream?: string;
  /** Delay added before each request is forwarded (a slow Docker API). */
  delayMs?: number;
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
  const sockets = new Set<Socket>();
  rmSync(options.socketPath, { force: true });

  const server = createServer((client: Socket) => {
    const docker = createConnection(upstream);
    sockets.add(client).add(docker);
    let carry = "";
    client.on("data", (chunk: Buffer) => {
      // Keep the tail of the previous chunk so a request line split across chunks is still seen.
      const text = carry + chunk.toString("latin1");
      for (const match of text.matchAll(REQUEST_LINE)) {
        const path = (match[2] ?? "").split("?")[0]!.replace(/^\/v\d+\.\d+(?=\/)/, "");
        requests.push({ method: match[1]!, path });
      }
      const lastBreak = text.lastIndexOf("\r\n");
      carry = text.slice(lastBreak + 2).slice(-512);
      const forward = (): void => {
        docker.write(chunk);
      };
      if (options.delayMs) setTimeout(forward, options.delayMs);
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
    docker.on("close", close).on("error", close);
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
    reset() {
      requests = [];
    },
    writes: () => requests.filter((r) => r.method !== "GET"),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
