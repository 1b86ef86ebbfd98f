import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ControllerMetrics } from "../../../src/controller/metrics.js";
import {
  parseListenAddress,
  startHttpServer,
  type Readiness,
  type RunningHttpServer,
} from "../../../src/http/server.js";
import { rawConnection, within } from "../../support/rawHttp.js";

let server: RunningHttpServer | undefined;
let readiness: Readiness = { ready: false, reason: "Docker is not reachable" };
let status: unknown = { apps: [] };
const metrics = new ControllerMetrics();

async function start(): Promise<RunningHttpServer> {
  server = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    registry: metrics.registry,
    readiness: () => readiness,
    status: () => status,
  });
  return server;
}

/** One request with any method (fetch refuses some), on loopback. */
function call(
  method: string,
  path: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server!.port, method, path, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end();
  });
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("startHttpServer", () => {
  it("answers /healthz with 200 ok", async () => {
    await start();
    const res = await call("GET", "/healthz");
    expect(res).toMatchObject({ status: 200, body: "ok\n" });
  });

  it("answers /readyz with 503 and the reason until ready, then 200", async () => {
    await start();
    readiness = { ready: false, reason: "the first sync is not done yet" };
    expect(await call("GET", "/readyz")).toMatchObject({
      status: 503,
      body: "not ready: the first sync is not done yet\n",
    });
    readiness = { ready: true };
    expect(await call("GET", "/readyz")).toMatchObject({ status: 200, body: "ok\n" });
  });

  it("serves the registry's metrics as Prometheus text", async () => {
    await start();
    metrics.reconciles.inc({ result: "ok" }, 3);
    metrics.actions.inc({ kind: "create", result: "ok" });
    metrics.setAppStates({ running: 2, rejected: 1 });
    const res = await call("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(String(res.headers["content-type"])).toContain("text/plain");
    expect(res.body).toContain('alacrity_reconciles_total{result="ok"} 3');
    expect(res.body).toContain('alacrity_actions_total{kind="create",result="ok"} 1');
    expect(res.body).toContain('alacrity_apps{state="running"} 2');
    expect(res.body).toContain("# TYPE alacrity_reconcile_duration_seconds histogram");
    expect(res.body).toContain("alacrity_queue_depth 0");
    expect(res.body).toContain("alacrity_last_successful_sync_timestamp_seconds");
    expect(res.body).toContain("alacrity_docker_errors_total 0");
  });

  it("serves /status as JSON from the callback, each time fresh", async () => {
    await start();
    status = [{ name: "blog-db", state: "running" }];
    const first = await call("GET", "/status?x=1");
    expect(first.status).toBe(200);
    expect(String(first.headers["content-type"])).toContain("application/json");
    expect(JSON.parse(first.body)).toEqual([{ name: "blog-db", state: "running" }]);
    status = [];
    expect(JSON.parse((await call("GET", "/status")).body)).toEqual([]);
  });

  it("refuses other methods with 405 and unknown paths with 404", async () => {
    await start();
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await call(method, "/status");
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD");
    }
    expect((await call("GET", "/nope")).status).toBe(404);
    expect((await call("POST", "/nope")).status).toBe(404);
    const head = await call("HEAD", "/healthz");
    expect(head).toMatchObject({ status: 200, body: "" });
  });

  it("answers 500 when the status callback throws, and keeps serving", async () => {
    server = await startHttpServer({
      port: 0,
      registry: metrics.registry,
      readiness: () => ({ ready: true }),
      status: () => {
        throw new Error("no snapshot");
      },
    });
    expect(await call("GET", "/status")).toMatchObject({
      status: 500,
      body: "internal error: no snapshot\n",
    });
    expect((await call("GET", "/healthz")).status).toBe(200);
  });

  it("cuts a request whose headers come too slowly, and bounds its connections, as configured", async () => {
    server = await startHttpServer({
      port: 0,
      registry: metrics.registry,
      readiness: () => ({ ready: true }),
      status: () => status,
      limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3 },
    });
    const slow = rawConnection(server.port, "GET /healthz HTTP/1.1\r\nhost: localhost\r\n");
    await slow.ready;
    // A byte now and then does not keep it open.
    const drip = setInterval(() => slow.socket.write("x-drip: 1\r\n"), 100);
    try {
      // The control: a complete request meanwhile is answered.
      expect((await call("GET", "/healthz")).status).toBe(200);
      await within(5000, "the slow request cut", slow.closed);
    } finally {
      clearInterval(drip);
    }
    expect(slow.now().status).toBe(408);
    const idle = [rawConnection(server.port), rawConnection(server.port), rawConnection(server.port)];
    await Promise.all(idle.map((c) => c.ready));
    const extra = rawConnection(server.port);
    await extra.ready;
    await within(5000, "the connection past the bound closed", extra.closed);
    expect(extra.now().status).toBe(0);
    // The connections within the bound are served.
    idle[0]!.socket.write("GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n");
    expect(await within(5000, "a connection within the bound", idle[0]!.response)).toMatchObject({
      status: 200,
    });
    for (const c of idle) c.socket.destroy();
  });

  it("listens on loopback by default and reports its URL", async () => {
    await start();
    expect(server!.url).toBe(`http://127.0.0.1:${server!.port}`);
    expect(server!.port).toBeGreaterThan(0);
  });
});

describe("parseListenAddress", () => {
  it("reads host:port, [v6]:port, :port and a bare port", () => {
    expect(parseListenAddress("0.0.0.0:9000")).toEqual({ host: "0.0.0.0", port: 9000 });
    expect(parseListenAddress("[::1]:9464")).toEqual({ host: "::1", port: 9464 });
    expect(parseListenAddress(":9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListenAddress("9464")).toEqual({ host: "127.0.0.1", port: 9464 });
  });

  it("rejects anything else, saying what was expected", () => {
    expect(() => parseListenAddress("localhost")).toThrow("Expected an address like `127.0.0.1:9464`");
    expect(() => parseListenAddress("a:70000")).toThrow("got `a:70000`");
  });
});
