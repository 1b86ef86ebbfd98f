/// <reference lib="dom" />
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, pageProblems } from "../../support/browser.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import {
  INSTANCE,
  PREFIX,
  SUITE_LABELS,
  killDaemons,
  spawnDaemon,
  stopDaemon,
  waitForStatus,
  type DaemonProcess,
} from "./daemonProcess.js";

// The web view of a real `alacrity run` on the real Swarm, in Debian's chromium (headless): what
// a real apply shows, a manifest edit pushed to an open page, hostile text rendered as text, the
// CSP, and the page at a phone's width. Screenshots go to .tmp/screenshots/ (the README shows one).

const P = `${PREFIX}w-`;
const HOSTILE = `<script>window.__pwned=1</script>`;
const SCREENSHOTS = join(process.cwd(), ".tmp", "screenshots");
const docker = newDocker();
let dir: AppsDir;
let daemon: DaemonProcess;
let browser: Browser;
let page: Page;
let problems: string[];

/** An app's row as `Label: text` cells, whitespace collapsed ("" while the row is not there). */
const rowText = (name: string): Promise<string> =>
  page.evaluate(
    (id) =>
      Array.from(document.getElementById(id)?.querySelectorAll("td") ?? [])
        .map((td) => `${td.dataset.label}: ${td.textContent?.replace(/\s+/g, " ").trim()}`)
        .join(" | "),
    `app-${name}`,
  );

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-dmn-web");
  dir.write("apps/web.yaml", appYaml(`${P}web`, { replicas: 2 }, SUITE_LABELS));
  dir.write(
    "apps/db.yaml",
    appYaml(
      `${P}db`,
      { persistent: true, volumes: [{ name: `${P}db-data`, containerPath: "/data" }] },
      SUITE_LABELS,
    ),
  );
  // An error text with a script in it: the image reference Swarm would never accept.
  dir.write("apps/bad.yaml", appYaml(`${P}bad`, { image: HOSTILE }, SUITE_LABELS));
  daemon = await spawnDaemon({ dir: join(dir.path, "apps") });
  await waitForStatus(daemon, "/readyz", 200, 60_000);
  browser = await launchBrowser();
  page = await browser.newPage();
  problems = pageProblems(page);
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (daemon) await stopDaemon(daemon);
  await killDaemons();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
}, 120_000);

describe("the web view in a browser", () => {
  it("lists the apps of a real apply, with their replicas, node and state, under a Content-Security-Policy", async () => {
    await page.setViewport({ width: 1280, height: 900 });
    const response = await page.goto(`${daemon.url}/`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toMatch(
      /^default-src 'none'; script-src 'sha256-/,
    );
    // The page's own script runs under that policy: it connects its event stream.
    await eventually(async () => (await page.$eval("#live", (e) => e.textContent ?? "")).startsWith("live"), {
      timeoutMs: 10_000,
      what: "the page's script to connect its event stream",
    });
    await eventually(
      async () => (await rowText(`${P}web`)).includes("2/2") && (await rowText(`${P}db`)).includes("1/1"),
      {
        timeoutMs: 60_000,
        what: "web at 2/2 and db at 1/1 on the open page",
      },
    );
    expect(await rowText(`${P}web`)).toMatch(/Persistent: no \| Replicas: 2\/2 \|.* State: running/);
    const db = await rowText(`${P}db`);
    expect(db).toMatch(/Persistent: yes \| Replicas: 1\/1/);
    const hostname = (await docker.info()) as { Name: string };
    expect(db).toContain(`Node: ${hostname.Name}`);
    // The pinned app is under its node's card, and its volume is in the data section.
    const card = await page.$eval(`[data-node="${hostname.Name}"]`, (e) => e.textContent ?? "");
    expect(card).toContain(`${P}db`);
    expect(await page.$eval("#view", (e) => e.textContent ?? "")).toContain(`alacran--${P}db-data`);
    await page.screenshot({ path: join(SCREENSHOTS, "web-view.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("renders a script in an error text as text: it is on the page, and it never ran", async () => {
    const bad = await eventually(
      async () => ((await rowText(`${P}bad`)).includes("invalid") ? rowText(`${P}bad`) : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    expect(bad).toContain(`not a valid image reference (got "${HOSTILE}")`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // Positive control: a script of ours did run, and it is the only script element.
    expect(await page.$$eval("script", (s) => s.length)).toBe(1);
    expect(await page.$eval("#live", (e) => e.textContent ?? "")).toMatch(/^live/);
  });

  it("shows a manifest edit within 2 s, without a reload", async () => {
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    const written = Date.now();
    dir.write("apps/added.yaml", appYaml(`${P}added`, { replicas: 0 }, SUITE_LABELS));
    await eventually(async () => (await rowText(`${P}added`)) !== "", { timeoutMs: 10_000, intervalMs: 20 });
    const ms = Date.now() - written;
    console.log(`web view: the new app was on the open page ${ms} ms after its file was written`);
    expect(ms).toBeLessThan(2000);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
  });

  it("is usable at a phone's width: no sideways scrolling, each app a card", async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await page.goto(`${daemon.url}/`, { waitUntil: "load" });
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      head: getComputedStyle(document.querySelector("table.cards thead")!).display,
      row: document.querySelector("table.cards tbody tr")!.getBoundingClientRect().width,
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(390);
    expect(layout.head).toBe("none");
    expect(layout.row).toBeLessThanOrEqual(390);
    expect(layout.row).toBeGreaterThan(300);
    await page.screenshot({ path: join(SCREENSHOTS, "web-view-phone.png"), fullPage: false });
    expect(problems).toEqual([]);
  });
});
