import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pageAssets } from "../../../src/web/assets.js";
import { clusterView } from "../../../src/web/clusterView.js";
import { html } from "../../../src/web/html.js";
import { renderPage, renderView } from "../../../src/web/page.js";
import { node, observed, row } from "./fixtures.js";

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>&"'`;

function view(extra: Partial<Parameters<typeof clusterView>[0]> = {}) {
  return clusterView({
    instance: "default",
    apps: [
      row("db", {
        persistent: true,
        node: "node-1",
        nodeState: "ready/active",
        revision: "0123456789abcdef",
      }),
      row("web", { state: "rejected", reason: `label value ${HOSTILE}`, running: 0 }),
    ],
    observed: observed({
      nodes: [node("n1", "node-1", { role: "manager" }), node("n2", HOSTILE, { state: "down" })],
      pins: [
        {
          app: "db",
          nodeId: "n1",
          hostname: "node-1",
          configId: "c1",
          storage: { volumes: ["alacran--db-data"], hostPaths: [] },
        },
      ],
    }),
    actions: [
      {
        at: "2026-12-03T18:00:01.000Z",
        target: "web",
        action: "create",
        reason: "new app",
        result: "failed",
        durationMs: 12,
        error: `Docker said ${HOSTILE}`,
      },
      {
        at: "2026-12-03T18:00:00.000Z",
        target: "db",
        action: "update",
        reason: "manifest changed",
        result: "ok",
        durationMs: 340,
        changed: ["image"],
      },
    ],
    readiness: { ready: false, reason: "Docker is not reachable" },
    git: {
      url: "https://git.example.com/ops/apps.git",
      ref: "main",
      path: "apps",
      revision: "feedfacecafe1234",
      fetchErrors: 0,
      consecutiveFailures: 0,
    },
    lease: { self: "host-a/1/abc", leader: true, holder: "host-a/1/abc", durationSeconds: 15, terms: 1 },
    now: Date.UTC(2026, 11, 3, 18, 0, 2),
    ...extra,
  });
}

describe("the page", () => {
  it("renders every string from a manifest or from Swarm as text: no tag or attribute of theirs gets through", () => {
    const page = renderPage(view(), pageAssets());
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;",
    );
    // Positive control: the page's own one script is there.
    expect(page.match(/<script>/g)).toHaveLength(1);
  });

  it("shows the apps, what needs attention, the nodes and their pinned apps, the data, the actions and the source", () => {
    const text = renderView(view()).text.replace(/\s+/g, " ");
    expect(text).toMatch(/Needs attention[\s\S]*href="#app-web"[\s\S]*rejected/);
    expect(text).toMatch(/<tr id="app-web" class="attention">/);
    expect(text).toMatch(/<tr id="app-db" class="">/);
    expect(text).toMatch(/data-node="node-1"[\s\S]*data-app="db"/);
    expect(text).toMatch(/<li class="node down"[^>]*>[\s\S]*down\/active/);
    expect(text).toContain("alacran--db-data");
    expect(text).toContain('<time datetime="2026-12-03T18:00:01.000Z">2026-12-03 18:00:01 UTC</time>');
    expect(text).toContain("(image)");
    expect(text).toContain("<code>feedfacecafe</code>");
    expect(text).toContain("<code>0123456789ab</code>");
    expect(text).toContain("held by <code>host-a/1/abc</code> (this controller)");
    expect(text).toContain("Docker is not reachable");
  });

  it("says what it lacks instead of showing empty tables", () => {
    const text = renderView(
      clusterView({ instance: "default", apps: [], actions: [], readiness: { ready: true }, now: 0 }),
    ).text;
    expect(text).toContain("No apps");
    expect(text).toContain("The Swarm has not been read yet.");
    expect(text).toContain("No persistent data recorded.");
    expect(text).toContain("No action since this controller started");
    expect(text).toContain("a local directory (no Git)");
    expect(text).not.toContain("Needs attention");
  });

  it("hashes exactly the inline style and script into its Content-Security-Policy", () => {
    const assets = pageAssets();
    const page = renderPage(view(), assets);
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    const hash = (t: string) => `'sha256-${createHash("sha256").update(t).digest("base64")}'`;
    expect(assets.csp).toContain(`script-src ${hash(script)}`);
    expect(assets.csp).toContain(`style-src ${hash(style)}`);
    expect(assets.csp).toMatch(/^default-src 'none'; /);
    expect(assets.csp).not.toContain("unsafe-inline");
  });
});

describe("html", () => {
  it("escapes text, keeps nested markup, and drops nothing-values", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`<p title="${`"'`}">${inner}${undefined}${false}${null}${[1, "&"]}</p>`.text).toBe(
      '<p title="&quot;&#39;"><b>&lt;i&gt;</b>1&amp;</p>',
    );
  });
});
