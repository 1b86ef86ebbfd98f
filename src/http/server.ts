import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** Whether the daemon can do its job; `reason` says why not, in plain words. */
export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface HttpServerOptions {
  /** Address to listen on. Default `127.0.0.1` (loopback: the endpoints are unauthenticated). */
  host?: string;
  /** Default 9464 (the conventional Prometheus exporter port); 0 picks a free port. */
  port?: number;
  /** The registry `/metrics` serves. */
  registry: Registry;
  /** For `/readyz`: ready once Docker is reachable and the first sync is done. */
  readiness: () => Readiness;
  /** For `/status`: the same document as `alacrity status --output json`. */
  status: () => unknown;
  /** More read-only routes (GET and HEAD), such as the web view's `/`. */
  getRoutes?: Record<string, Route>;
  /**
   * POST-only routes (the Git webhook, off unless configured); each authenticates its requests
   * itself. Every other endpoint stays read-only.
   */
  postRoutes?: Record<string, Route>;
  /** Timeouts and the connection bound; the defaults below, tests use smaller ones. */
  limits?: Partial<HttpLimits>;
}

/** What one client may cost the server: how long it may take to send a request, and how many. */
export interface HttpLimits {
  /** A request's headers must be in by then, or it is answered 408 and closed. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must be in by then. */
  requestTimeoutMs: number;
  /** Connections held at once; further ones are closed at once. */
  maxConnections: number;
}

/**
 * Node's own defaults (60 s for headers, 300 s for a request, no bound on connections) let a
 * client that sends a byte now and then hold a connection for minutes, and many clients hold
 * memory without end. Monitoring scrapes and webhooks send small requests at once.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 256,
};

/**
 * How often Node looks for requests past those timeouts (its default, 30 s, would let a 10 s
 * headers timeout run to 40 s). A pass over at most `maxConnections` connections is cheap.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export interface RunningHttpServer {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** Stops accepting connections and closes idle ones; resolves when the server is closed. */
  close(): Promise<void>;
}

export const DEFAULT_HTTP_HOST = "127.0.0.1";
export const DEFAULT_HTTP_PORT = 9464;

/**
 * Parses `HOST:PORT`, `[IPV6]:PORT`, `:PORT` or `PORT`, as given to `--http-address`.
 * Throws a message saying what was expected and what came.
 */
export function parseListenAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected an address like \`127.0.0.1:9464\` or \`[::1]:9464\`, got \`${text}\``);
  }
  return { host: match[1] || match[2] || DEFAULT_HTTP_HOST, port };
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

/**
 * The daemon's read-only HTTP endpoints: `/healthz` (the process is up), `/readyz` (Docker
 * reachable and first sync done), `/metrics` (Prometheus text), `/status` (JSON) and the
 * `getRoutes` given (the web view). Only GET and
 * HEAD are accepted (405 otherwise, with `Allow`); any other path is 404.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const routes: Record<string, Route> = {
    ...options.getRoutes,
    "/healthz": (_req, res) => send(res, 200, TEXT, "ok\n"),
    "/readyz": (_req, res) => {
      const readiness = options.readiness();
      if (readiness.ready) send(res, 200, TEXT, "ok\n");
      else send(res, 503, TEXT, `not ready: ${readiness.reason ?? "unknown reason"}\n`);
    },
    "/metrics": async (_req, res) => {
      const body = await options.registry.metrics();
      send(res, 200, options.registry.contentType, body);
    },
    "/status": (_req, res) => {
      send(res, 200, JSON_TYPE, `${JSON.stringify(options.status(), null, 2)}\n`);
    },
  };

  const postRoutes = options.postRoutes ?? {};
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
    (req, res) => {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      const post = Object.hasOwn(postRoutes, pathname) ? postRoutes[pathname] : undefined;
      if (post) {
        if (req.method !== "POST") {
          res.setHeader("allow", "POST");
          send(res, 405, TEXT, `method ${req.method ?? "(none)"} not allowed: use POST\n`);
          return;
        }
        Promise.resolve()
          .then(() => post(req, res))
          .catch((error: unknown) => {
            if (res.headersSent) res.destroy();
            else
              send(
                res,
                500,
                TEXT,
                `internal error: ${error instanceof Error ? error.message : String(error)}\n`,
              );
          });
        return;
      }
      const route = Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
      if (!route) {
        send(res, 404, TEXT, `not found: ${pathname}; try ${Object.keys(routes).join(", ")}\n`);
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("allow", "GET, HEAD");
        send(res, 405, TEXT, `method ${req.method ?? "(none)"} not allowed: this endpoint is read-only\n`);
        return;
      }
      Promise.resolve()
        .then(() => route(req, res))
        .catch((error: unknown) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          send(res, 500, TEXT, `internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        });
    },
  );
  server.maxConnections = limits.maxConnections;

  const host = options.host ?? DEFAULT_HTTP_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_HTTP_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
