import { spawn } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import type { IncomingMessage, RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Duplex } from "node:stream";
import type Docker from "dockerode";
import type { DockerConnectionOptions } from "./connect.js";
import { toDockerError } from "./errors.js";

/** Query values: objects (Docker's `filters`) are sent as JSON, as the Engine API expects. */
export type Query = Record<string, string | number | boolean | object | undefined>;

export interface EngineRequest {
  method: "GET" | "POST" | "DELETE";
  /** API path without a version prefix, e.g. `/services/ID/update`. */
  path: string;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

/** Task, node, volume and config objects as the list endpoints return them (only what we read). */
export type RawService = Docker.Service;
export type RawConfig = Docker.ConfigInfo;
export interface RawVolumeList {
  Volumes?: { Name: string; Labels?: Record<string, string> | null }[] | null;
}

/** Called before every request is sent; the request counter of tests and the benchmark hooks in here. */
export type RequestObserver = (method: string, path: string) => void;

/**
 * The Docker Engine API calls the controller makes, over plain `node:http` on the socket (or TCP,
 * TLS, or SSH through `docker system dial-stdio`, as the Docker CLI does). No API version is put
 * in the path, so the engine answers in its own version (a 1.41 engine works).
 *
 * Not dockerode: loading it took ~0.23 s and ~29 MB (gRPC and protobuf for BuildKit sessions,
 * ssh2), a quarter of a whole no-op `apply`, and its transport formats every request with
 * `util.inspect` for a debug log that is off; the controller needs a dozen JSON endpoints.
 * Errors are `DockerError`s carrying Docker's own message and whether a retry can help.
 */
export class EngineClient {
  readonly #options: DockerConnectionOptions;
  readonly #agent: Agent | undefined;
  readonly #observers = new Set<RequestObserver>();

  constructor(options: DockerConnectionOptions) {
    this.#options = options;
    // Keep-alive: a thousand creates reuse a few connections instead of opening a thousand.
    if (options.protocol === "https") {
      this.#agent = new HttpsAgent({ keepAlive: true, ca: options.ca, cert: options.cert, key: options.key });
    } else if (options.protocol !== "ssh") {
      this.#agent = new Agent({ keepAlive: true });
    }
  }

  /** Registers `observer` for every request from now on; returns the function that removes it. */
  observeRequests(observer: RequestObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Closes idle keep-alive connections (they never keep the process alive anyway). */
  close(): void {
    this.#agent?.destroy();
  }

  listServices(query: { filters?: Record<string, string[]>; status?: boolean } = {}): Promise<RawService[]> {
    return this.json({ method: "GET", path: "/services", query });
  }

  listTasks(query: { filters?: Record<string, string[]> } = {}): Promise<unknown[]> {
    return this.json({ method: "GET", path: "/tasks", query });
  }

  listNodes(): Promise<unknown[]> {
    return this.json({ method: "GET", path: "/nodes" });
  }

  listVolumes(): Promise<RawVolumeList> {
    return this.json({ method: "GET", path: "/volumes" });
  }

  listConfigs(query: { filters?: Record<string, string[]> } = {}): Promise<RawConfig[]> {
    return this.json({ method: "GET", path: "/configs", query });
  }

  inspectService(idOrName: string): Promise<RawService> {
    return this.json({ method: "GET", path: `/services/${encodeURIComponent(idOrName)}` });
  }

  createService(spec: Docker.ServiceSpec): Promise<{ ID: string }> {
    return this.json({ method: "POST", path: "/services/create", body: spec });
  }

  /** Fails with "update out of sequence" when the service is no longer at `version`. */
  async updateService(idOrName: string, version: number, spec: Docker.ServiceSpec): Promise<void> {
    await this.json({
      method: "POST",
      path: `/services/${encodeURIComponent(idOrName)}/update`,
      query: { version },
      body: spec,
    });
  }

  async removeService(idOrName: string): Promise<void> {
    await this.json({ method: "DELETE", path: `/services/${encodeURIComponent(idOrName)}` });
  }

  createConfig(spec: {
    Name: string;
    Labels: Record<string, string>;
    Data: string;
  }): Promise<{ ID: string }> {
    return this.json({ method: "POST", path: "/configs/create", body: spec });
  }

  async removeConfig(idOrName: string): Promise<void> {
    await this.json({ method: "DELETE", path: `/configs/${encodeURIComponent(idOrName)}` });
  }

  /** The event stream: newline-separated JSON objects until `signal` aborts or Docker goes away. */
  events(query: Query, signal: AbortSignal): Promise<IncomingMessage> {
    return this.open({ method: "GET", path: "/events", query, signal });
  }

  /** One request whose JSON answer (or nothing, for an empty body) is returned. */
  async json<T>(req: EngineRequest): Promise<T> {
    const response = await this.open(req);
    const text = await readBody(response);
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw toDockerError(err, `Docker sent an answer that is not JSON for ${req.method} ${req.path}`);
    }
  }

  /** Sends a request and resolves with the response once its status is 2xx; else a `DockerError`. */
  async open(req: EngineRequest): Promise<IncomingMessage> {
    for (const observer of this.#observers) observer(req.method, req.path);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const options: RequestOptions = {
      method: req.method,
      path: req.path + queryString(req.query),
      headers:
        payload === undefined
          ? {}
          : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) },
      ...this.#target(),
    };
    if (req.signal) options.signal = req.signal;
    const send = this.#options.protocol === "https" ? httpsRequest : httpRequest;
    let response: IncomingMessage;
    try {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        const outgoing = send(options, resolve);
        outgoing.on("error", reject);
        outgoing.end(payload);
      });
    } catch (err) {
      throw toDockerError(err);
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;
    const text = await readBody(response).catch(() => "");
    throw toDockerError({ statusCode: status, json: messageOf(text) ?? text, message: `HTTP ${status}` });
  }

  #target(): RequestOptions {
    const options = this.#options;
    if (options.socketPath !== undefined) return { socketPath: options.socketPath, agent: this.#agent };
    if (options.protocol === "ssh") {
      // No agent: Node then takes the connection from `createConnection`.
      return { host: options.host, createConnection: () => dialStdio(options) };
    }
    return { host: options.host, port: options.port, agent: this.#agent };
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function messageOf(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === "string" ? message : undefined;
  } catch {
    return undefined;
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", reject);
    response.on("aborted", () => reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })));
  });
}

/**
 * A connection to a remote engine the way the Docker CLI makes one for `ssh://` hosts: `ssh`
 * (with the user's own configuration, keys and agent) running `docker system dial-stdio` there,
 * whose standard input and output carry the HTTP exchange. One per request.
 */
function dialStdio(options: DockerConnectionOptions): Duplex {
  const args: string[] = [];
  if (options.username) args.push("-l", options.username);
  if (options.port !== undefined && options.port !== 22) args.push("-p", String(options.port));
  args.push("--", options.host ?? "", "docker", "system", "dial-stdio");
  const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  const stream = new Duplex({
    // A write to an ssh that already failed would only say EPIPE: its exit status says why.
    write(chunk: Buffer, _encoding, done) {
      child.stdin.write(chunk, () => done());
    },
    final(done) {
      child.stdin.end();
      done();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, done) {
      child.kill();
      done(err);
    },
  });
  child.stdin.on("error", () => undefined);
  child.stdout.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) child.stdout.pause();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString("utf8");
  });
  const fail = (message: string): void => {
    stream.destroy(Object.assign(new Error(message), { code: "ECONNREFUSED" }));
  };
  child.on("error", (err) => fail(`cannot run ssh: ${err.message}`));
  // `close` comes after the output has been read to its end and the exit status is known.
  child.on("close", (code) => {
    if (code === 0 || code === null) stream.push(null);
    else fail(`ssh ${options.host ?? ""} exited with ${code}: ${stderr.trim()}`);
  });
  return stream;
}
