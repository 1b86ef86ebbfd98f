import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { CLI, INSTANCE, STACK } from "./config.js";

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a whole process and measures it from spawn to exit (start-up included). */
export function timedRun(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 600_000,
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code: code ?? -1, stdout, stderr });
    });
  });
}

/** Fails loudly: a benchmark of a command that failed measures nothing. */
export function ensureOk(what: string, run: Timed): Timed {
  if (run.code !== 0)
    throw new Error(`${what} exited ${run.code}:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  return run;
}

export function alacrityApply(
  appsDir: string,
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Timed> {
  // The default log level (info, one JSON line per action on stderr): what a user's run costs.
  return timedRun(
    process.execPath,
    [CLI, "apply", "--dir", appsDir, "--instance", INSTANCE, ...extra],
    env,
  ).then((run) => ensureOk("alacrity apply", run));
}

/**
 * `--resolve-image never`: this machine has no registry, and asking one for the image digest
 * costs a network timeout (about 15 s) that would swamp what is measured here.
 */
export function stackDeploy(composeFile: string, env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return timedRun(
    "docker",
    ["stack", "deploy", "--resolve-image", "never", "-c", composeFile, STACK],
    env,
  ).then((run) => ensureOk("docker stack deploy", run));
}

/** Stops a daemon as an operator would: SIGTERM, then SIGKILL if it has not exited in 15 s. */
export async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
