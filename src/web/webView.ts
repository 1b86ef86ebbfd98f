import type { ServerResponse } from "node:http";
import { backgroundClock, type Clock, type TimerHandle } from "../domain/clock.js";
import type { Route } from "../http/server.js";
import { pageAssets, type HashedAssets } from "./assets.js";
import type { ClusterView } from "./clusterView.js";
import { html } from "./html.js";
import { renderPage, renderView } from "./page.js";

export interface WebViewOptions {
  /** The view as of now; called for each page and, while someone watches, once a tick. */
  view: () => ClusterView;
  /** How often a watched view is rendered again (pushed only when it changed). Default 1 s. */
  tickMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream. Default 15 s. */
  heartbeatMs?: number;
  /** Event streams held at once; more are answered 503 (the server's own bound is for everyone). */
  maxWatchers?: number;
  clock?: Clock;
  assets?: HashedAssets;
}

export interface WebView {
  /** `GET /` (the page) and `GET /ui/events` (its server-sent events). */
  routes: Record<string, Route>;
  /** Ends every event stream, so that the server can close. */
  close(): void;
}

const HTML_TYPE = "text/html; charset=utf-8";

function securityHeaders(csp: string): Record<string, string> {
  return {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

/** One SSE message; every line of the data gets its own `data:` field, as the format requires. */
export function sseMessage(event: string, data: string): string {
  return `event: ${event}\n${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join("")}\n`;
}

/**
 * The read-only web view. Watchers share one render per tick, and a view is pushed only when it
 * differs from the last one pushed: an idle cluster costs one render a second while someone
 * looks, and nothing when nobody does.
 */
export function webView(options: WebViewOptions): WebView {
  const clock = options.clock ?? backgroundClock;
  const tickMs = options.tickMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxWatchers = options.maxWatchers ?? 32;
  const assets = options.assets ?? pageAssets();
  const headers = securityHeaders(assets.csp);
  const watchers = new Set<ServerResponse>();
  let last = "";
  let timer: TimerHandle;
  let sinceBeat = 0;

  const render = (): string => renderView(options.view()).text;

  const tick = (): void => {
    timer = undefined;
    if (watchers.size === 0) return;
    let text: string;
    try {
      text = render();
    } catch (error) {
      text = html`<p class="bad-text">cannot render the view: ${String(error)}</p>`.text;
    }
    sinceBeat += tickMs;
    if (text !== last) {
      last = text;
      for (const res of watchers) res.write(sseMessage("view", text));
      sinceBeat = 0;
    } else if (sinceBeat >= heartbeatMs) {
      for (const res of watchers) res.write(": still here\n\n");
      sinceBeat = 0;
    }
    timer = clock.setTimeout(tick, tickMs);
  };

  const page: Route = (req, res) => {
    const body = renderPage(options.view(), assets);
    res.writeHead(200, { ...headers, "content-type": HTML_TYPE, "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
  };

  const events: Route = (req, res) => {
    if (watchers.size >= maxWatchers) {
      res.writeHead(503, { ...headers, "content-type": "text/plain; charset=utf-8", "retry-after": "30" });
      res.end(`too many open views (${maxWatchers}); close one, or reload later\n`);
      return;
    }
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "x-accel-buffering": "no",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    // A stream reconnecting after a drop would otherwise wait for the next change.
    const text = render();
    if (watchers.size === 0) last = text;
    res.write(`retry: 2000\n${sseMessage("view", text)}`);
    watchers.add(res);
    res.on("close", () => watchers.delete(res));
    timer ??= clock.setTimeout(tick, tickMs);
  };

  return {
    routes: { "/": page, "/ui/events": events },
    close() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      for (const res of watchers) res.end();
      watchers.clear();
    },
  };
}
