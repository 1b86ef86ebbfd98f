import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { eventually } from "../../support/poll.js";

/** A bare repository on disk (the "remote") and a clone the test commits from. */
export class TestRepo {
  readonly root: string;
  readonly bare: string;
  readonly work: string;

  constructor(prefix: string) {
    this.root = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.bare = join(this.root, "remote.git");
    this.work = join(this.root, "work");
    execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", this.bare]);
    execFileSync("git", ["init", "--quiet", "--initial-branch=main", this.work]);
    this.git("config", "user.email", "test@alacrity.invalid");
    this.git("config", "user.name", "test");
  }

  get fileUrl(): string {
    return `file://${this.bare}`;
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.work, encoding: "utf8" }).trim();
  }

  /** Writes (or, with `null`, deletes) files, commits, pushes to main; returns the commit. */
  commit(files: Record<string, string | null>, message = "change"): string {
    for (const [name, text] of Object.entries(files)) {
      const file = join(this.work, name);
      if (text === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    }
    this.git("add", "-A");
    this.git("commit", "--quiet", "--allow-empty", "-m", message);
    this.git("push", "--quiet", "--force", this.bare, "HEAD:main");
    return this.git("rev-parse", "HEAD");
  }

  /** Points the remote's main at an older commit, as a force-push does. */
  forcePush(sha: string): void {
    this.git("reset", "--quiet", "--hard", sha);
    this.git("push", "--quiet", "--force", this.bare, "HEAD:main");
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** `git daemon` serving `base` on loopback (git://127.0.0.1:port/...). */
export async function startGitDaemon(base: string, port: number): Promise<ChildProcess> {
  // The git-daemon program itself: `git daemon` would run it as a child that outlives a kill.
  const program = join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-daemon");
  const child = spawn(
    program,
    ["--export-all", "--reuseaddr", `--base-path=${base}`, "--listen=127.0.0.1", `--port=${port}`, base],
    { stdio: "ignore" },
  );
  // Ready once it answers ls-remote (bounded).
  try {
    await eventually(
      () => {
        execFileSync("git", ["ls-remote", `git://127.0.0.1:${port}/remote.git`], {
          stdio: "ignore",
          timeout: 5000,
        });
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 100, giveUpIf: () => child.exitCode !== null && "git daemon exited" },
    );
    return child;
  } catch {
    child.kill("SIGKILL");
    throw new Error(`git daemon did not answer on port ${port}`);
  }
}

export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
