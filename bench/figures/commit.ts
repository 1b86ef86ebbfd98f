import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appSet, manifestText } from "../apps.js";
import { alacrityApply, stopDaemon } from "../commands.js";
import { CLI, INSTANCE } from "../config.js";
import { median, percentile } from "../stats.js";
import { cleanup } from "../swarm.js";
import { waitForEnv, waitReady } from "./daemon.js";

export interface CommitFigures {
  apps: number;
  commits: number;
  /** From pushing a commit that changes one manifest until Swarm shows that service updated. */
  latenciesMs: number[];
  medianMs: number;
  p95Ms: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const SECRET = "bench-webhook-secret-0123456789abcdef";

/**
 * The daemon following a Git repository (`alacrity run --git-url`, a bare repository on disk) with
 * `apps` apps, as a user of the Git source runs it: each commit changes one manifest, is pushed,
 * and the webhook tells the daemon, which fetches it, checks it out into a directory of its own,
 * loads that directory and updates the one service. Timed from the push until Swarm shows the
 * service updated, for `commits` commits. The services are created by an apply first, so the
 * daemon's first sync has nothing to do (the revision label alone never updates a service).
 */
export async function commitFigures(
  apps: number,
  commits: number,
  log: (line: string) => void,
): Promise<CommitFigures> {
  const set = appSet("g", apps, 0);
  const root = mkdtempSync(join(tmpdir(), "alacrity-bench-git-"));
  const bare = join(root, "remote.git");
  const work = join(root, "work");
  const cacheDir = join(root, "cache");
  mkdirSync(cacheDir, { mode: 0o700 });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: work, encoding: "utf8" }).trim();
  const port = 20000 + ((process.pid + 7) % 20000);
  let child: ChildProcess | undefined;
  let stderr = "";
  try {
    execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
    execFileSync("git", ["init", "--quiet", "--initial-branch=main", work]);
    git("config", "user.email", "bench@alacrity.invalid");
    git("config", "user.name", "bench");
    mkdirSync(join(work, "apps"));
    const writeApp = (name: string, env: Record<string, string> = {}) =>
      writeFileSync(join(work, "apps", `${name}.yaml`), manifestText(name, set.replicas, env));
    for (const name of set.names) writeApp(name);
    git("add", "-A");
    git("commit", "--quiet", "-m", "apps");
    git("push", "--quiet", bare, "HEAD:main");

    await cleanup();
    await alacrityApply(join(work, "apps"), [], { ALACRITY_CACHE_DIR: "off" });
    child = spawn(
      process.execPath,
      [
        CLI,
        "run",
        "--instance",
        INSTANCE,
        "--listen",
        `127.0.0.1:${port}`,
        "--git-url",
        `file://${bare}`,
        "--git-ref",
        "main",
        "--git-path",
        "apps",
        "--git-interval",
        "1h",
        "--git-workdir",
        join(root, "workdir"),
      ],
      {
        env: {
          ...process.env,
          ALACRITY_LOG_LEVEL: "warn",
          ALACRITY_CACHE_DIR: cacheDir,
          ALACRITY_WEBHOOK_SECRET: SECRET,
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
    await waitReady(port, exited, () => stderr);
    const first = git("rev-parse", "HEAD");
    await waitApplied(port, first);
    log(`  daemon following the repository with ${apps} apps; commit ${first.slice(0, 12)} applied`);

    const latenciesMs: number[] = [];
    for (let i = 0; i < commits; i++) {
      const name = set.names[Math.floor((i * set.names.length) / commits)]!;
      const value = `commit-${i}-${Date.now()}`;
      writeApp(name, { BENCH_COMMIT: value });
      git("commit", "--quiet", "-am", `change ${name}`);
      const started = performance.now();
      git("push", "--quiet", bare, "HEAD:main");
      const hook = await fetch(`http://127.0.0.1:${port}/hooks/git`, {
        method: "POST",
        body: "{}",
        headers: { authorization: `Bearer ${SECRET}` },
      });
      if (!hook.ok) throw new Error(`the webhook answered ${hook.status}`);
      await waitForEnv(name, `BENCH_COMMIT=${value}`);
      latenciesMs.push(performance.now() - started);
      await waitApplied(port, git("rev-parse", "HEAD"));
      await sleep(500);
    }
    log(`  commits: ${latenciesMs.map((ms) => Math.round(ms)).join(", ")} ms`);
    return { apps, commits, latenciesMs, medianMs: median(latenciesMs), p95Ms: percentile(latenciesMs, 95) };
  } finally {
    if (child) await stopDaemon(child);
    await cleanup();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Waits until the daemon's `/status` says the commit is fully applied, bounded. */
async function waitApplied(port: number, sha: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const status = (await fetch(`http://127.0.0.1:${port}/status`)
      .then((r) => r.json())
      .catch(() => undefined)) as { git?: { appliedRevision?: string } } | undefined;
    if (status?.git?.appliedRevision === sha) return;
    await sleep(100);
  }
  throw new Error(`commit ${sha} was not applied within 300 s`);
}
