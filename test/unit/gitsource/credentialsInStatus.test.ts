import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { GitOps } from "../../../src/gitsource/gitOps.js";

// A remote that refuses the connection at once: git fails and echoes the URL, which must reach
// /status, /metrics and the log with its password and query token hidden.
const PASSWORD = "p@ss-w0rd";
const TOKEN = "glpat-0123456789abcdef";
const URLS = [
  `https://deploy:${PASSWORD}@127.0.0.1:1/ops/apps.git`,
  `https://127.0.0.1:1/ops/apps.git?private_token=${TOKEN}`,
];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function failedFetch(url: string): Promise<{ status: string; metrics: string; log: string }> {
  const workdir = mkdtempSync(join(tmpdir(), "alacrity-t-redact-"));
  dirs.push(workdir);
  let log = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  const git = new GitOps({ url, ref: "main", workdir, intervalMs: 3_600_000, logger: pino(sink) });
  const registry = new Registry();
  git.registerMetrics(registry);
  await git.start();
  await git.stop();
  return { status: JSON.stringify(git.status()), metrics: await registry.metrics(), log };
}

describe("Git URL credentials in /status, /metrics and logs", () => {
  it.each(URLS)("never shows the password or the query token of %s", async (url) => {
    const { status, metrics, log } = await failedFetch(url);
    // Positive controls: the fetch did fail, and the URL is there, redacted.
    expect(JSON.parse(status).lastError).toMatch(/git fetch failed/);
    expect(JSON.parse(status).url).toContain("127.0.0.1:1/ops/apps.git");
    expect(metrics).toContain('alacrity_git_info{url="https://');
    expect(log).toContain("git sync failed");
    for (const text of [status, metrics, log]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain("w0rd");
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });
});
