import { request, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ControllerMetrics } from "../../../src/controller/metrics.js";
import { startHttpServer, type RunningHttpServer } from "../../../src/http/server.js";
import { clusterView } from "../../../src/web/clusterView.js";
import { sseMessage, webView, type WebView } from "../../../src/web/webView.js";
import { ManualClock } from "../../support/manualClock.js";
import { eventually } from "../../support/poll.js";
import { row } from "./fixtures.js";

let server: RunningHttpServer | undefined;
let web: WebView | undefined;
let apps = [row("web")];
let renders = 0;
const clock = new ManualClock(Date.UTC(2026, 11, 3));

async function start(maxWatchers = 32): Promise<RunningHttpServer> {
  web = webView({
    clock,
    tickMs: 1000,
    heartbeatMs: 3000,
    maxWatchers,
    view: () => {
      renders++;
      return clusterView({
        instance: "default",
        apps,
        actions: [],
        readiness: { ready: true },
        now: clock.now(),
      });
    },
  });
  server = await startHttpServer({
    port: 0,
    registry: new ControllerMetrics().registry,
    readiness: () => ({ ready: true }),
    status: () => ({}),
    getRoutes: web.routes,
  });
  return server;
}

afterEach(async () => {
  web?.close();
  await server?.close();
  server = web = undefined;
  apps = [row("web")];
  renders = 0;
});

/** An open event stream and everything received on it so far. */
function stream(path = "/ui/events"): Promise<{ res: IncomingMessage; text: () => string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server!.port, path }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      resolve({ res, text: () => text });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the web view's routes", () => {
  it("serves the page with its Content-Security-Policy and no caching", async () => {
    await start();
    const res = await fetch(`${server!.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toMatch(
      /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'/,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain('id="app-web"');
    const post = await fetch(`${server!.url}/`, { method: "POST" });
    expect(post.status).toBe(405);
  });

  it("pushes the view at once, then again only when it changed, with a heartbeat while nothing does", async () => {
    await start();
    const { res, text } = await stream();
    expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    await eventually(() => text().includes("event: view"));
    expect(text()).toMatch(/^retry: 2000\nevent: view\ndata: /);
    const views = () => text().split("event: view").length - 1;
    expect(views()).toBe(1);

    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(views()).toBe(1); // unchanged: nothing pushed
    const rendersBefore = renders;

    apps = [row("web"), row("db", { persistent: true, state: "waiting", reason: "node-3 is down" })];
    clock.advance(1000);
    await eventually(() => views() === 2);
    expect(renders).toBe(rendersBefore + 1);
    expect(text()).toContain("node-3 is down");

    clock.advance(3000);
    await eventually(() => text().includes(": still here"));
    expect(views()).toBe(2);
  });

  it("stops rendering when the last watcher leaves, and ends every stream on close", async () => {
    await start();
    const a = await stream();
    await eventually(() => a.text().includes("event: view"));
    a.res.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const before = renders;
    clock.advance(5000);
    expect(renders).toBe(before);

    const b = await stream();
    await eventually(() => b.text().includes("event: view"));
    const ended = new Promise<void>((resolve) => b.res.on("end", resolve));
    web!.close();
    await ended;
    await server!.close(); // resolves: no stream holds the server open
    server = undefined;
  });

  it("answers 503 beyond its bound of watchers, and the page still loads", async () => {
    await start(1);
    const a = await stream();
    await eventually(() => a.text().includes("event: view"));
    const refused = await fetch(`${server!.url}/ui/events`);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain("too many open views (1)");
    expect((await fetch(`${server!.url}/`)).status).toBe(200);
  });

  it("lists the view among the endpoints of a 404", async () => {
    await start();
    const res = await fetch(`${server!.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(
      "not found: /nope; try /, /ui/events, /healthz, /readyz, /metrics, /status\n",
    );
  });
});

describe("sseMessage", () => {
  it("gives every line of the data its own data field", () => {
    expect(sseMessage("view", "a\nb\r\nc")).toBe("event: view\ndata: a\ndata: b\ndata: c\n\n");
  });
});
