import { spawn, type ChildProcess } from "node:child_process";
import { freeLoopbackPort } from "../../support/freePort.js";
import { CLI } from "../../support/cli.js";
import { eventually } from "../../support/poll.js";

/** One line of the daemon's JSON log (pino). */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** The stderr lines that parse as JSON. */
  logs(): LogLine[];
  /** Bounded wait for a log line matching `match`; returns it. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  get(path: string, init?: RequestInit): Promise<{ status: number; body: string }>;
  /** Resolves with the exit code and the milliseconds from `since` (default: now) to the exit. */
  exited(since?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  readonly running: boolean;
}

export const INSTANCE = "t-dmn";
export const PREFIX = "t-dmn-";
/** Manifests may not set `alacrity.*` labels: the suite marks its services with this one. */
export const SUITE_LABELS = { labels: { "test-suite": INSTANCE } };

const spawned = new Set<DaemonProcess>();

export interface SpawnOptions {
  dir: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Default: a free loopback port. */
  listen?: string;
  /** Wait until /healthz answers (default true). */
  waitForHttp?: boolean;
  /**
   * Take the instance's lease as users' daemons do (default false: `--no-lease`). A daemon killed
   * by the tests' SIGKILL keeps its lease until it expires, which would stall the next daemon.
   */
  lease?: boolean;
}

/** Spawns the built `alacrity run` (dist/cli/main.js) as users run it, logging JSON to a pipe. */
export async function spawnDaemon(options: SpawnOptions): Promise<DaemonProcess> {
  const port = await freeLoopbackPort();
  const listen = options.listen ?? `127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      CLI,
      "run",
      "--dir",
      options.dir,
      "--instance",
      INSTANCE,
      "--listen",
      listen,
      ...(options.lease ? [] : ["--no-lease"]),
      ...(options.args ?? []),
    ],
    {
      env: { ...process.env, ALACRITY_LOG_LEVEL: "info", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on("exit", (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      resolve(exitInfo);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const logs = (): LogLine[] =>
    err
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
  const proc: DaemonProcess = {
    child,
    url,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    logs,
    async waitForLog(match, timeoutMs = 15_000) {
      return eventually(() => logs().find(match), {
        timeoutMs,
        intervalMs: 50,
        what: () => `a matching log line; stderr:\n${err.slice(-4000)}`,
        giveUpIf: () =>
          exitInfo && `the daemon exited (${String(exitInfo.code)}) before the log line; stderr:\n${err}`,
      });
    },
    async get(path, init) {
      const res = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
      return { status: res.status, body: await res.text() };
    },
    async exited(since = Date.now()) {
      const info = await exit;
      return { code: info.code, signal: info.signal, ms: info.at - since };
    },
    get running() {
      return exitInfo === undefined;
    },
  };
  spawned.add(proc);
  void exit.then(() => spawned.delete(proc));
  if (options.waitForHttp ?? true) {
    await eventually(async () => (await proc.get("/healthz")).status === 200, {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: () => `alacrity run to serve /healthz:\n${err}`,
      giveUpIf: () => exitInfo && `alacrity run exited (${String(exitInfo.code)}):\n${err}`,
    });
  }
  return proc;
}

/** Sends SIGTERM and waits (bounded) for the exit, then SIGKILL: a graceful stop releases the lease. */
export async function stopDaemon(proc: DaemonProcess, timeoutMs = 10_000): Promise<void> {
  if (!proc.running) return;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), timeoutMs);
  await proc.exited();
  clearTimeout(timer);
}

/** Kills every daemon still running (SIGKILL: tests that care about signals send their own first). */
export async function killDaemons(): Promise<void> {
  const left = [...spawned];
  for (const proc of left) proc.child.kill("SIGKILL");
  await Promise.all(left.map((p) => p.exited()));
}

/** Waits until GET `path` answers with `status` (bounded). */
export async function waitForStatus(
  proc: DaemonProcess,
  path: string,
  status: number,
  timeoutMs = 30_000,
): Promise<void> {
  let last = "";
  await eventually(
    async () => {
      const res = await proc.get(path).catch((e: unknown) => ({ status: -1, body: String(e) }));
      last = `${res.status} ${res.body}`;
      return res.status === status;
    },
    { timeoutMs, intervalMs: 100 },
  ).catch((error: unknown) => {
    throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms; last: ${last}`, {
      cause: error,
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
