import { spawn, type ChildProcess } from "node:child_process";
import { freeLoopbackPort } from "../../support/freePort.js";
import { CLI } from "../../support/cli.js";
import { eventually } from "../../support/poll.js";

export const INSTANCE = "t-lease";
export const PREFIX = "t-lease-";
/** Manifests may not set `alacrity.*` labels: the suite marks its services with this one. */
export const SUITE_LABELS = { labels: { "test-suite": INSTANCE } };

export interface LeaseStatusDoc {
  self: string;
  leader: boolean;
  holder?: string;
  renewed?: string;
  terms: number;
}

export interface RunningDaemon {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  status(): Promise<{ apps: { name: string }[]; lease: LeaseStatusDoc }>;
  get(path: string): Promise<{ status: number; body: string }>;
  exited(): Promise<number | null>;
}

const spawned = new Set<ChildProcess>();

/** Spawns the built `alacrity run --instance t-lease` on a free loopback port; resolves once /healthz answers. */
export async function spawnLeaseDaemon(dir: string, args: string[] = []): Promise<RunningDaemon> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [CLI, "run", "--dir", dir, "--instance", INSTANCE, "--listen", `127.0.0.1:${port}`, ...args],
    { env: { ...process.env, ALACRITY_LOG_LEVEL: "info" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  spawned.add(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exit = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      spawned.delete(child);
      resolve(code);
    });
  });
  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.text() };
  };
  await eventually(async () => (await get("/healthz")).status === 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: () => `alacrity run to answer /healthz:\n${stderr}`,
    giveUpIf: () => child.exitCode !== null && `alacrity run exited with ${child.exitCode}:\n${stderr}`,
  });
  return {
    child,
    url,
    stderr: () => stderr,
    get,
    status: async () =>
      JSON.parse((await get("/status")).body) as Awaited<ReturnType<RunningDaemon["status"]>>,
    exited: () => exit,
  };
}

/** SIGKILLs every daemon this suite spawned that still runs. */
export async function killAll(): Promise<void> {
  const left = [...spawned];
  for (const child of left) child.kill("SIGKILL");
  await Promise.all(left.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
}
