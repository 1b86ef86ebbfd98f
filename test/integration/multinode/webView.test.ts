/// <reference lib="dom" />
// The web view of a daemon on a real 3-node Swarm (Docker-in-Docker), in Debian's chromium: a
// pinned app appears under its node, and when that node stops, the open page marks the node down
// and the app waiting for it, while the stateless app's tasks are counted on the nodes left.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { startMultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { launchBrowser, pageProblems } from "../../support/browser.js";
import { AppsDir, IMAGE, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import {
  killDaemons,
  spawnDaemon,
  stopDaemon,
  waitForStatus,
  type DaemonProcess,
} from "../daemon/daemonProcess.js";

const P = "t-dmn-mw-";
const DB = `${P}db`;
const WEB = `${P}web`;
const SCREENSHOTS = join(process.cwd(), ".tmp", "screenshots");
const log = (message: string): void => console.log(`[multinode web view] ${message}`);

let swarm: MultiNodeSwarm;
let dir: AppsDir;
let daemon: DaemonProcess;
let browser: Browser;
let page: Page;
let problems: string[];

/** A node's card: its class and its text, whitespace collapsed. */
const card = (hostname: string): Promise<{ down: boolean; text: string }> =>
  page.evaluate((h) => {
    const e = document.querySelector(`[data-node="${h}"]`);
    return {
      down: e?.classList.contains("down") ?? false,
      text: e?.textContent?.replace(/\s+/g, " ").trim() ?? "",
    };
  }, hostname);

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 3, workloadImages: [IMAGE], heartbeatPeriodSeconds: 1, log });
  dir = new AppsDir("alacrity-mn-web");
  dir.write(
    "db.yaml",
    appYaml(DB, { persistent: true, node: "node-3", volumes: [{ name: "data", containerPath: "/data" }] }),
  );
  dir.write("web.yaml", appYaml(WEB, { replicas: 2 }));
  daemon = await spawnDaemon({
    dir: dir.path,
    args: ["--resync", "2"],
    env: { DOCKER_HOST: swarm.dockerHost },
  });
  await waitForStatus(daemon, "/readyz", 200, 60_000);
  browser = await launchBrowser();
  page = await browser.newPage();
  problems = pageProblems(page);
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (daemon) await stopDaemon(daemon);
  await killDaemons();
  dir?.dispose();
  await swarm?.cleanup();
}, 120_000);

describe("the web view of a 3-node Swarm", () => {
  it("shows the pinned app under its node, then that node down and the app waiting for it", async () => {
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${daemon.url}/`, { waitUntil: "load" });
    const up = await eventually(
      async () => {
        const c = await card("node-3");
        return c.text.includes(`${DB} running`) ? c : undefined;
      },
      { timeoutMs: 90_000, what: `${DB} running on node-3's card` },
    );
    expect(up.down).toBe(false);
    expect(up.text).toContain("ready/active");
    // Positive control for the counts: the stateless app's 2 tasks are on the nodes' cards.
    const counted = await eventually(
      async () => {
        const cards = await Promise.all(["node-1", "node-2", "node-3"].map(card));
        const total = cards
          .map((c) => Number(/(\d+) stateless task/.exec(c.text)?.[1] ?? 0))
          .reduce((a, b) => a + b, 0);
        return total === 2 ? cards : undefined;
      },
      { timeoutMs: 60_000, what: `${WEB}'s 2 tasks counted on the node cards` },
    );
    expect(counted.every((c) => !c.down)).toBe(true);
    for (const other of ["node-1", "node-2"]) expect((await card(other)).text).not.toContain(DB);

    const stopped = Date.now();
    await swarm.stopNode("node-3");
    const down = await eventually(
      async () => {
        const c = await card("node-3");
        return c.down && c.text.includes(`${DB} waiting for this node`) ? c : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: "node-3 marked down with the app waiting for it" },
    );
    log(`node-3 stopped; the open page marked it down ${Date.now() - stopped} ms later`);
    expect(down.text).toMatch(/down\/active/);
    const row = await page.$eval(`#app-${DB}`, (e) => ({
      cls: e.className,
      text: e.textContent?.replace(/\s+/g, " ") ?? "",
    }));
    expect(row.cls).toBe("attention");
    expect(row.text).toContain("waiting");
    expect(row.text).toContain("node-3 (down/active)");
    expect(await page.$eval(".attention-list", (e) => e.textContent ?? "")).toContain(DB);
    await page.screenshot({ path: join(SCREENSHOTS, "web-view-node-down.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});
