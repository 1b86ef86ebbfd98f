import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDockerProxy } from "../../test/support/dockerProxy.js";
import type { DockerProxy } from "../../test/support/dockerProxy.js";
import { appSet, Workspace } from "../apps.js";
import { alacrityApply } from "../commands.js";
import { CLI, INSTANCE } from "../config.js";
import { median, percentile } from "../stats.js";
import { cleanup, docker } from "../swarm.js";

export interface DaemonFigures {
  apps: number;
  idle: {
    seconds: number;
    /** Requests in the window, the event stream left out (it is one long-lived request). */
    requests: number;
    byPath: Record<string, number>;
    rssMb: number;
  };
  edits: { count: number; latenciesMs: number[]; medianMs: number; p95Ms: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The daemon (`alacrity run`) with `apps` apps, its Docker traffic counted by a proxy: first the
 * requests and memory of an idle window, then the time from writing one manifest until Swarm
 * shows the service updated, for `edits` edits.
 */
export async function daemonFigures(
  apps: number,
  idleSeconds: number,
  edits: number,
  log: (line: string) => void,
): Promise<DaemonFigures> {
  const ws = new Workspace(appSet("a", apps, 0));
  const proxy = await startDockerProxy({ socketPath: join(tmpdir(), `alacrity-bench-d${process.pid}.sock`) });
  const port = 20000 + (process.pid % 20000);
  let child: ChildProcess | undefined;
  let stderr = "";
  try {
    await cleanup();
    await alacrityApply(ws.appsDir);
    child = spawn(
      process.execPath,
      [CLI, "run", "--dir", ws.appsDir, "--instance", INSTANCE, "--listen", `127.0.0.1:${port}`],
      {
        env: { ...process.env, DOCKER_HOST: proxy.dockerHost, ALACRITY_LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
    await waitReady(port, exited, () => stderr);
    await settle(proxy);
    log(`  daemon ready with ${apps} apps; idle window of ${idleSeconds} s`);

    proxy.reset();
    await sleep(idleSeconds * 1000);
    const idleRequests = proxy.requests.filter((r) => r.path !== "/events");
    const byPath: Record<string, number> = {};
    for (const r of idleRequests)
      byPath[`${r.method} ${r.path}`] = (byPath[`${r.method} ${r.path}`] ?? 0) + 1;
    const rssMb = residentMb(child.pid!);

    const latenciesMs: number[] = [];
    for (let i = 0; i < edits; i++) {
      const name = ws.set.names[Math.floor((i * ws.set.names.length) / edits)]!;
      const value = `edit-${i}-${Date.now()}`;
      const started = performance.now();
      ws.writeApp(name, { BENCH_EDIT: value });
      await waitForEnv(name, `BENCH_EDIT=${value}`);
      latenciesMs.push(performance.now() - started);
      await sleep(200);
    }
    log(`  edits: ${latenciesMs.map((ms) => Math.round(ms)).join(", ")} ms`);
    return {
      apps,
      idle: { seconds: idleSeconds, requests: idleRequests.length, byPath, rssMb },
      edits: { count: edits, latenciesMs, medianMs: median(latenciesMs), p95Ms: percentile(latenciesMs, 95) },
    };
  } finally {
    if (child && child.exitCode === null) {
      const gone = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([gone, sleep(15_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await proxy.close();
    await cleanup();
    ws.dispose();
  }
}

async function waitReady(port: number, exited: Promise<void>, stderr: () => string): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`alacrity run exited early:\n${stderr()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`alacrity run was not ready within 300 s:\n${stderr()}`);
}

/** Waits until the daemon has made no request for 3 s (its start-up sync is over), bounded. */
async function settle(proxy: DockerProxy): Promise<void> {
  const deadline = Date.now() + 120_000;
  let seen = proxy.requests.length;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    if (proxy.requests.length !== seen) {
      seen = proxy.requests.length;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= 3000) return;
  }
  throw new Error("the daemon never went quiet after its first sync");
}

async function waitForEnv(service: string, entry: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const info = (await docker.getService(service).inspect()) as {
      Spec?: { TaskTemplate?: { ContainerSpec?: { Env?: string[] } } };
    };
    if (info.Spec?.TaskTemplate?.ContainerSpec?.Env?.includes(entry)) return;
    await sleep(5);
  }
  throw new Error(`${service} was not updated with ${entry} within 60 s`);
}

/** Resident memory of a process, from /proc (Linux). */
function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
