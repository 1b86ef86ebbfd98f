import { spawn, type ChildProcess } from "node:child_process";
import { freeLoopbackPort } from "../../support/freePort.js";
import { CLI } from "../../support/cli.js";
import { eventually } from "../../support/poll.js";

export const INSTANCE = "t-git";
export const PREFIX = "t-git-";
export const SUITE_LABELS = { labels: { "test-suite": INSTANCE } };

export interface AlacrityProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  get(path: string, init?: RequestInit): Promise<{ status: number; body: string }>;
  status(): Promise<GitStatusDoc>;
}

export interface GitStatusDoc {
  apps: { name: string; state: string }[];
  git?: {
    url: string;
    ref: string;
    revision?: string;
    appliedRevision?: string;
    lastFetch?: string;
    lastError?: string;
    fetchErrors: number;
    failedRevision?: string;
    failedFiles?: string[];
    errors?: string[];
  };
}

const spawned = new Set<ChildProcess>();

/** Spawns the built `alacrity run --instance t-git` on a free loopback port with `args`. */
export async function spawnAlacrity(args: string[], env: NodeJS.ProcessEnv = {}): Promise<AlacrityProcess> {
  const port = await freeLoopbackPort();
  const child = spawn(
    process.execPath,
    [CLI, "run", "--instance", INSTANCE, "--listen", `127.0.0.1:${port}`, ...args],
    {
      env: { ...process.env, ALACRITY_LOG_LEVEL: "info", ALACRITY_DIR: "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  spawned.add(child);
  child.on("exit", () => spawned.delete(child));
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  };
  await eventually(async () => (await get("/healthz")).status === 200, {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: () => `alacrity run to serve /healthz:\n${err}`,
    giveUpIf: () => child.exitCode !== null && `alacrity run exited (${child.exitCode}):\n${err}`,
  });
  return {
    child,
    url,
    stderr: () => err,
    get,
    status: async () => JSON.parse((await get("/status")).body) as GitStatusDoc,
  };
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...spawned].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill("SIGKILL"), 5000);
          child.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}
