import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDockerProxy } from "../../test/support/dockerProxy.js";
import type { DockerProxy } from "../../test/support/dockerProxy.js";
import { appSet, Workspace } from "../apps.js";
import { alacrityApply, stopDaemon } from "../commands.js";
import { CLI, INSTANCE } from "../config.js";
import { median, percentile } from "../stats.js";
import { cleanup, docker } from "../swarm.js";

/** The daemon's memory at one moment: resident (from /proc) and as Node accounts for it. */
export interface MemorySample {
  rssMb: number;
  /** Anonymous resident memory (heaps, stacks) and file-backed (the node binary's code, libraries). */
  rssAnonMb: number;
  rssFileMb: number;
  /** V8's heap: used and reserved; `codeMb` is its code space (compiled functions). */
  heapUsedMb: number;
  heapTotalMb: number;
  codeMb: number;
  /** Memory outside the V8 heap that JavaScript objects hold (buffers). */
  externalMb: number;
}

/** One daemon run: its memory once started, then after the edits and an idle window. */
export interface DaemonRun {
  /** "warm": the apply before it filled the directory's parse cache; "cold": no cache file. */
  parseCache: "warm" | "cold";
  started: MemorySample;
  afterEditsAndIdle: MemorySample;
  idle: {
    seconds: number;
    /** Requests in the window, the event stream left out (it is one long-lived request). */
    requests: number;
    byPath: Record<string, number>;
  };
  edits: { count: number; latenciesMs: number[]; medianMs: number; p95Ms: number };
}

export interface DaemonFigures {
  apps: number;
  warm: DaemonRun;
  cold: DaemonRun;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const PROBE = fileURLToPath(new URL("../memoryProbe.mjs", import.meta.url));

/**
 * The daemon (`alacrity run`) with `apps` apps, its Docker traffic counted by a proxy, twice: once
 * on a parse cache the apply before it filled, once with no cache file (a directory it never saw).
 * Each run: `edits` edits, each timed from writing one manifest until Swarm shows the service
 * updated, then an idle window whose requests are counted, then its memory.
 */
export async function daemonFigures(
  apps: number,
  idleSeconds: number,
  edits: number,
  log: (line: string) => void,
): Promise<DaemonFigures> {
  const warm = await daemonRun("warm", apps, idleSeconds, edits, log);
  const cold = await daemonRun("cold", apps, idleSeconds, edits, log);
  return { apps, warm, cold };
}

async function daemonRun(
  parseCache: "warm" | "cold",
  apps: number,
  idleSeconds: number,
  edits: number,
  log: (line: string) => void,
): Promise<DaemonRun> {
  const ws = new Workspace(appSet("a", apps, 0));
  const cacheDir = mkdtempSync(join(tmpdir(), "alacrity-bench-cache-"));
  const memoryFile = join(ws.root, "memory.json");
  const proxy = await startDockerProxy({ socketPath: join(tmpdir(), `alacrity-bench-d${process.pid}.sock`) });
  const port = 20000 + (process.pid % 20000);
  let child: ChildProcess | undefined;
  let stderr = "";
  try {
    await cleanup();
    await alacrityApply(ws.appsDir, [], { ALACRITY_CACHE_DIR: parseCache === "warm" ? cacheDir : "off" });
    child = spawn(
      process.execPath,
      [CLI, "run", "--dir", ws.appsDir, "--instance", INSTANCE, "--listen", `127.0.0.1:${port}`],
      {
        env: {
          ...process.env,
          DOCKER_HOST: proxy.dockerHost,
          ALACRITY_LOG_LEVEL: "warn",
          ALACRITY_CACHE_DIR: cacheDir,
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${PROBE}`.trim(),
          BENCH_MEMORY_FILE: memoryFile,
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
    await waitReady(port, exited, () => stderr);
    await settle(proxy);
    const started = await memoryOf(child, memoryFile);
    log(`  daemon ready with ${apps} apps (parse cache ${parseCache}): ${describe(started)}`);

    const latenciesMs: number[] = [];
    for (let i = 0; i < edits; i++) {
      const name = ws.set.names[Math.floor((i * ws.set.names.length) / edits)]!;
      const value = `edit-${i}-${Date.now()}`;
      const startedAt = performance.now();
      ws.writeApp(name, { BENCH_EDIT: value });
      await waitForEnv(name, `BENCH_EDIT=${value}`);
      latenciesMs.push(performance.now() - startedAt);
      await sleep(200);
    }
    log(`  edits: ${latenciesMs.map((ms) => Math.round(ms)).join(", ")} ms`);

    await settle(proxy);
    proxy.reset();
    await sleep(idleSeconds * 1000);
    const idleRequests = proxy.requests.filter((r) => r.path !== "/events");
    const byPath: Record<string, number> = {};
    for (const r of idleRequests)
      byPath[`${r.method} ${r.path}`] = (byPath[`${r.method} ${r.path}`] ?? 0) + 1;
    const afterEditsAndIdle = await memoryOf(child, memoryFile);
    log(`  after the edits and ${idleSeconds} s idle: ${describe(afterEditsAndIdle)}`);
    return {
      parseCache,
      started,
      afterEditsAndIdle,
      idle: { seconds: idleSeconds, requests: idleRequests.length, byPath },
      edits: { count: edits, latenciesMs, medianMs: median(latenciesMs), p95Ms: percentile(latenciesMs, 95) },
    };
  } finally {
    if (child) await stopDaemon(child);
    await proxy.close();
    await cleanup();
    ws.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

export async function waitReady(port: number, exited: Promise<void>, stderr: () => string): Promise<void> {
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

/** Waits until the daemon has made no request for 3 s (its sync is over), bounded. */
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
  throw new Error("the daemon never went quiet after its sync");
}

export async function waitForEnv(service: string, entry: string): Promise<void> {
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

const MB = 1024 * 1024;

/** Resident memory from /proc (Linux), and Node's own account from the probe (SIGUSR2). */
async function memoryOf(child: ChildProcess, memoryFile: string): Promise<MemorySample> {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  rmSync(memoryFile, { force: true });
  child.kill("SIGUSR2");
  const deadline = Date.now() + 5000;
  while (!existsSync(memoryFile) && Date.now() < deadline) await sleep(20);
  await sleep(20);
  const probe = existsSync(memoryFile)
    ? (JSON.parse(readFileSync(memoryFile, "utf8")) as {
        heapUsed: number;
        heapTotal: number;
        external: number;
        spaces: Record<string, number>;
      })
    : undefined;
  return {
    rssMb: kb("VmRSS") / 1024,
    rssAnonMb: kb("RssAnon") / 1024,
    rssFileMb: kb("RssFile") / 1024,
    heapUsedMb: (probe?.heapUsed ?? Number.NaN) / MB,
    heapTotalMb: (probe?.heapTotal ?? Number.NaN) / MB,
    codeMb: (probe?.spaces["code_space"] ?? Number.NaN) / MB,
    externalMb: (probe?.external ?? Number.NaN) / MB,
  };
}

function describe(m: MemorySample): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  return (
    `RSS ${r(m.rssMb)} MB (anon ${r(m.rssAnonMb)}, file ${r(m.rssFileMb)}); ` +
    `heap ${r(m.heapUsedMb)} used of ${r(m.heapTotalMb)} MB (code ${r(m.codeMb)}), external ${r(m.externalMb)} MB`
  );
}
