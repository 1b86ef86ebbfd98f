import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { DaemonDeps } from "../../../src/controller/daemonDeps.js";
import { GitOps } from "../../../src/gitsource/gitOps.js";
import { GitSource } from "../../../src/gitsource/gitSource.js";
import { formatError } from "../../../src/manifest/types.js";
import { appYaml } from "../../support/manifests.js";
import { TestRepo } from "./gitRepo.js";

// The Git source against a hostile repository and a hostile working directory: real git, local
// repositories, no Docker.

const cleanup: string[] = [];
const repos: TestRepo[] = [];
afterAll(() => {
  for (const repo of repos) repo.dispose();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

function newRepo(): TestRepo {
  const repo = new TestRepo("alacrity-t-gitsafe");
  repos.push(repo);
  return repo;
}

/** A logger whose lines the test reads. */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

function source(
  repo: TestRepo,
  workdir: string,
  path = "apps",
  logger = capturingLogger().logger,
): GitSource {
  return new GitSource({ url: repo.fileUrl, ref: "main", path, workdir, intervalMs: 3_600_000, logger });
}

/** GitOps on `apps` of the repository, after its first fetch; `deps.loadDesired` loads as the daemon does. */
async function startedGitOps(
  repo: TestRepo,
  workdir: string,
  logger: pino.Logger,
): Promise<{ gitops: GitOps; deps: DaemonDeps }> {
  const gitops = new GitOps({
    url: repo.fileUrl,
    ref: "main",
    path: "apps",
    workdir,
    intervalMs: 3_600_000,
    logger,
  });
  // Only loading is used: no Swarm behind these dependencies.
  const deps = gitops.wrap({ logger } as unknown as DaemonDeps);
  await gitops.start();
  await gitops.stop();
  return { gitops, deps };
}

describe("git working directory", () => {
  it("runs git with hooks and the fsmonitor off, even in a planted repository", async () => {
    const repo = newRepo();
    repo.commit({ "apps/a.yaml": appYaml("a") });
    const workdir = tempDir("alacrity-t-gitsafe-wd-");
    chmodSync(workdir, 0o700);
    const marker = join(workdir, "..", `${workdir.split("/").pop()}-marker`);
    cleanup.push(marker);
    const program = join(tempDir("alacrity-t-gitsafe-hook-"), "hook.sh");
    writeFileSync(program, `#!/bin/sh\necho "$0 $*" >> ${marker}\ncat >/dev/null\n`, { mode: 0o755 });
    // Planted by the same user (the ownership check passes): only the forced config protects.
    const planted = join(workdir, "repo.git");
    execFileSync("git", ["init", "--quiet", "--bare", planted]);
    chmodSync(planted, 0o700);
    for (const hook of ["reference-transaction", "post-checkout", "pre-auto-gc"]) {
      writeFileSync(join(planted, "hooks", hook), readFileSync(program), { mode: 0o755 });
    }
    execFileSync("git", ["--git-dir", planted, "config", "core.fsmonitor", program]);

    const git = source(repo, workdir);
    expect(await git.start()).toBe("changed");
    await git.stop();
    expect(existsSync(join(git.checkoutDir(git.revision!), "a.yaml"))).toBe(true);
    expect(existsSync(marker)).toBe(false);

    // Positive control: the same commands without AlaCrity's environment run both programs.
    execFileSync("git", ["--git-dir", planted, "fetch", "--quiet", repo.fileUrl, "+main:refs/control"]);
    const tree = join(workdir, "control");
    mkdirSync(tree);
    const env = { ...process.env, GIT_INDEX_FILE: join(workdir, "control.index") };
    execFileSync("git", ["--git-dir", planted, "--work-tree", tree, "read-tree", "refs/control"], { env });
    execFileSync("git", ["--git-dir", planted, "--work-tree", tree, "checkout-index", "--all", "--force"], {
      env,
      stdio: "ignore",
    });
    const fired = readFileSync(marker, "utf8");
    expect(fired).toContain("hooks/reference-transaction");
    expect(fired).toContain(`${program} 2`);
  });

  it("refuses a working directory or repository others can write, or that is not this user's", async () => {
    const repo = newRepo();
    repo.commit({ "apps/a.yaml": appYaml("a") });

    const shared = tempDir("alacrity-t-gitsafe-wd-");
    chmodSync(shared, 0o775);
    await expect(source(repo, shared).start()).rejects.toThrow(
      `${shared} is writable by its group (mode 0775); another user could plant a repository that runs programs as this one: run \`chmod go-w ${shared}\``,
    );

    const open = tempDir("alacrity-t-gitsafe-wd-");
    chmodSync(open, 0o700);
    mkdirSync(join(open, "repo.git"), { mode: 0o777 });
    chmodSync(join(open, "repo.git"), 0o777);
    await expect(source(repo, open).start()).rejects.toThrow(
      `${open}/repo.git is writable by its group and others (mode 0777)`,
    );

    const uid = process.getuid!();
    if (uid === 0) {
      const foreign = tempDir("alacrity-t-gitsafe-wd-");
      chmodSync(foreign, 0o700);
      mkdirSync(join(foreign, "repo.git"), { mode: 0o700 });
      chownSync(join(foreign, "repo.git"), 4242, 4242);
      await expect(source(repo, foreign).start()).rejects.toThrow(
        `${foreign}/repo.git belongs to uid 4242, not to the user running alacrity (uid 0); another user's repository could run programs as this one: run \`chown -R 0 ${foreign}/repo.git\` or choose another --git-workdir`,
      );
    }

    // Positive control: a missing working directory is created for this user alone, and works.
    const fresh = join(tempDir("alacrity-t-gitsafe-parent-"), "state", "git");
    const git = source(repo, fresh);
    expect(await git.start()).toBe("changed");
    await git.stop();
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(statSync(join(fresh, "repo.git")).mode & 0o077).toBe(0);
  });
});

describe("git checkouts and symbolic links", () => {
  it("leaves out committed links that lead outside the checkout, keeps those inside, and reports the left-out ones by path", async () => {
    const repo = newRepo();
    const w = (p: string) => join(repo.work, p);
    mkdirSync(w("apps"), { recursive: true });
    mkdirSync(w("lib"));
    mkdirSync(w("common"));
    writeFileSync(w("apps/web.yaml"), appYaml("web"));
    writeFileSync(w("common/shared.yaml"), appYaml("shared"));
    symlinkSync("../common/shared.yaml", w("apps/shared.yaml"));
    symlinkSync("/etc/passwd", w("apps/leak.yaml"));
    symlinkSync("/", w("apps/rootfs"));
    // lib/b -> .. is the checkout's root (inside), so `../lib/b/..` reads as inside, lexically;
    // really it is the directory above the checkout.
    symlinkSync("..", w("lib/b"));
    symlinkSync("../lib/b/..", w("apps/chain"));
    symlinkSync("/etc", w("etc"));
    const sha = repo.commit({}, "links");

    const workdir = join(tempDir("alacrity-t-gitsafe-wd-"), "wd");
    const { logger, lines } = capturingLogger();
    const { gitops, deps } = await startedGitOps(repo, workdir, logger);
    expect(gitops.source.revision).toBe(sha);

    const checkout = gitops.source.checkoutRoot(sha);
    const present = (p: string) => {
      try {
        lstatSync(join(checkout, p));
        return true;
      } catch {
        return false;
      }
    };
    expect(["apps/leak.yaml", "apps/rootfs", "apps/chain", "etc"].filter(present)).toEqual([]);
    expect(["apps/shared.yaml", "apps/web.yaml", "lib/b", "common/shared.yaml"].filter(present)).toHaveLength(
      4,
    );
    const warning = lines.map((l) => JSON.parse(l) as { msg: string; links?: string[] }).find((l) => l.links);
    expect(warning?.links).toEqual(["apps/chain", "apps/leak.yaml", "apps/rootfs", "etc"]);
    expect(lines.join("\n")).not.toContain("/etc/passwd");

    // The load: the link inside works; the left-out ones fail by path, keeping what they defined.
    const desired = await deps.loadDesired();
    expect([...desired.apps.keys()].sort()).toEqual(["shared", "web"]);
    const dir = gitops.source.checkoutDir(sha);
    const message =
      "is a symbolic link to a place outside the Git repository, or to nothing; AlaCrity left it out of the checkout: commit the file itself instead of the link";
    expect(desired.errors.map(formatError)).toEqual(
      ["chain", "leak.yaml", "rootfs"].map((link) => `${dir}/${link}:1:1: ${message}`),
    );
    expect([...desired.failedFiles].sort()).toEqual(["chain", "leak.yaml", "rootfs"]);
    expect(JSON.stringify(desired.errors)).not.toContain("root:");

    // A restart reusing the checkout knows the left-out links from the checkout itself.
    const again = await startedGitOps(repo, workdir, logger);
    expect([...(await again.deps.loadDesired()).failedFiles].sort()).toEqual([
      "chain",
      "leak.yaml",
      "rootfs",
    ]);
  });

  it("never takes a --git-path that is a link out of the repository as the apps directory", async () => {
    const repo = newRepo();
    mkdirSync(join(repo.work, "apps"));
    writeFileSync(join(repo.work, "apps/web.yaml"), appYaml("web"));
    symlinkSync("/etc", join(repo.work, "etc"));
    symlinkSync("apps", join(repo.work, "inside"));
    repo.commit({}, "links");

    const escaping = source(repo, join(tempDir("alacrity-t-gitsafe-wd-"), "wd"), "etc");
    expect(await escaping.start()).toBe("failed");
    await escaping.stop();
    expect(escaping.status().lastError).toMatch(/has no directory `etc`; not switching to it/);
    expect(escaping.revision).toBeUndefined();

    // Positive control: a --git-path that is a link inside the repository works.
    const inside = source(repo, join(tempDir("alacrity-t-gitsafe-wd-"), "wd"), "inside");
    expect(await inside.start()).toBe("changed");
    await inside.stop();
    expect(existsSync(join(inside.checkoutDir(inside.revision!), "web.yaml"))).toBe(true);
  });
});
