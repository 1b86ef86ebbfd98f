import { spawn } from "node:child_process";
import { systemClock, type Clock } from "../domain/clock.js";
import { redactText } from "./redact.js";

/** A git invocation that failed; its message and stderr are already redacted. */
export class GitError extends Error {
  readonly args: readonly string[];
  readonly stderr: string;
  readonly code: number | null;

  constructor(args: readonly string[], code: number | null, stderr: string, secrets: readonly string[]) {
    const text = redactText(stderr.trim(), secrets);
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    // git's last lines are the useful ones ("fatal: ..."); progress lines come first.
    const summary = lines.slice(-3).join("; ") || `exit code ${String(code)}`;
    super(`git ${subcommand(args)} failed: ${summary}`);
    this.name = "GitError";
    this.args = args;
    this.code = code;
    this.stderr = text;
  }
}

/** The subcommand of a git command line (`fetch` in `git --git-dir R fetch ...`). */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (["--git-dir", "--work-tree", "-C", "-c"].includes(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return "";
}

export interface GitRunOptions {
  /** Environment of git (see `gitEnvironment`). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed after this long (a hung remote must not stall the source). Default 120 s. */
  timeoutMs?: number;
  /** Strings to redact from errors (tokens). */
  secrets?: readonly string[];
  /** Times the kill. Default `systemClock`. */
  clock?: Clock;
}

/** Runs `git ARGS` and resolves with its stdout; rejects with a redacted `GitError`. */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => {
      // Bounded: a chatty failure must not grow memory.
      if (err.length < 64 * 1024) err += d.toString();
    });
    const clock = options.clock ?? systemClock;
    const timer = clock.setTimeout(() => {
      err += `\nfatal: timed out after ${options.timeoutMs ?? 120_000} ms`;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clock.clearTimeout(timer);
      reject(new GitError(args, null, `cannot run git: ${error.message}`, options.secrets ?? []));
    });
    child.on("close", (code) => {
      clock.clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else reject(new GitError(args, code, err, options.secrets ?? []));
    });
  });
}

export interface GitCredentials {
  /** A token sent as an HTTP header (`ALACRITY_GIT_TOKEN`). */
  token?: string;
  /** With a token: send `Authorization: Basic base64(user:token)` instead of `Bearer` (GitHub wants this). */
  tokenUser?: string;
}

/**
 * Configuration every git command runs with, whatever a repository's own config says: no hooks
 * (a `repo.git` planted in the working directory would run them as the controller's user) and
 * no file-system monitor (`core.fsmonitor` names a program too). SSH (`core.sshCommand`,
 * `GIT_SSH_COMMAND`) stays the operator's.
 */
const FORCED_CONFIG: readonly (readonly [string, string])[] = [
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
];

/**
 * git's environment: never prompt (a daemon has no terminal), `FORCED_CONFIG`, and the token as
 * an `http.extraHeader`, all passed through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`
 * — the environment form of `git -c`, which outranks every config file; chosen because a
 * process's command line is readable by every user of the host (`ps`) while its environment is
 * not; and unlike `git clone -c`, it is never written into the repository's config. SSH keys
 * (`GIT_SSH_COMMAND`), credential helpers and the rest of the user's Git configuration work as
 * usual; entries the user set in `GIT_CONFIG_COUNT` come first, so ours win.
 */
export function gitEnvironment(base: NodeJS.ProcessEnv, credentials: GitCredentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, GIT_TERMINAL_PROMPT: "0" };
  delete env.ALACRITY_GIT_TOKEN;
  delete env.ALACRITY_WEBHOOK_SECRET;
  const config: (readonly [string, string])[] = [...FORCED_CONFIG];
  if (credentials.token) {
    const header =
      credentials.tokenUser === undefined
        ? `Authorization: Bearer ${credentials.token}`
        : `Authorization: Basic ${Buffer.from(`${credentials.tokenUser}:${credentials.token}`).toString("base64")}`;
    config.push(["http.extraHeader", header]);
  }
  const first = Number(base.GIT_CONFIG_COUNT ?? 0) || 0;
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${first + i}`] = key;
    env[`GIT_CONFIG_VALUE_${first + i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(first + config.length);
  return env;
}

/** The strings a git message must never show: the token and its Basic encoding. */
export function credentialSecrets(credentials: GitCredentials): string[] {
  if (!credentials.token) return [];
  const secrets = [credentials.token];
  if (credentials.tokenUser !== undefined) {
    secrets.push(Buffer.from(`${credentials.tokenUser}:${credentials.token}`).toString("base64"));
  }
  return secrets;
}

/** Heuristic: git's words for a broken local repository (as opposed to a remote problem). */
export function looksCorrupt(message: string): boolean {
  return /corrupt|bad object|object file .* is empty|not a git repository|unable to read [0-9a-f]{40}|loose object|packfile .* (?:cannot|does not)|invalid (?:sha1 )?pointer|fatal: bad revision|index file smaller|missing (?:blob|tree|commit)|did not send all necessary objects|could not (?:read|parse) (?:object|commit)|unable to (?:open|create) .*objects/i.test(
    message,
  );
}
