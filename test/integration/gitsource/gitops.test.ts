import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, type ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../support/freePort.js";
import { appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { INSTANCE, PREFIX, SUITE_LABELS, killAll, spawnAlacrity } from "./gitDaemon.js";
import { TestRepo, startGitDaemon, stopProcess } from "./gitRepo.js";
import { eventually } from "../../support/poll.js";

// `alacrity run --git-url` against real repositories made by the test: served over file:// and by
// `git daemon` on loopback. The periodic fetch is an hour away in the webhook tests, so only the
// webhook can explain a sync there.

const docker = newDocker();
const SECRET = "t-git-webhook-secret-0123456789";
const repos: TestRepo[] = [];
const workdirs: string[] = [];
let gitDaemon: ChildProcess | undefined;

function newRepo(): TestRepo {
  const repo = new TestRepo("alacrity-t-git");
  repos.push(repo);
  return repo;
}

function newWorkdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "alacrity-t-git-wd-"));
  workdirs.push(dir);
  return dir;
}

async function labelsOf(name: string): Promise<Record<string, string> | undefined> {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name)?.Spec?.Labels;
}

async function envOf(name: string): Promise<string[] | undefined> {
  const list = await docker.listServices({ filters: { name: [name] } });
  const svc = list.find((s) => s.Spec?.Name === name);
  if (!svc) return undefined;
  return (svc.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } }).ContainerSpec?.Env ?? [];
}

const app = (name: string, v: string) => appYaml(`${PREFIX}${name}`, { env: { V: v } }, SUITE_LABELS);

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
afterEach(async () => {
  await killAll();
  await stopProcess(gitDaemon);
  gitDaemon = undefined;
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
afterAll(() => {
  for (const repo of repos) repo.dispose();
  for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
});

describe("alacrity run --git-url", () => {
  it("applies commits with their revision, syncs on a webhook within a second, reports a bad commit without removing anything, and follows a force-push back", async () => {
    const repo = newRepo();
    const sha1 = repo.commit({ "apps/a.yaml": app("a", "1"), "README.md": "not a manifest\n" }, "one");
    const alacrity = await spawnAlacrity(
      [
        "--git-url",
        repo.fileUrl,
        "--git-ref",
        "main",
        "--git-path",
        "apps",
        "--git-interval",
        "1h",
        "--git-workdir",
        newWorkdir(),
        "--resync",
        "3600",
      ],
      { ALACRITY_WEBHOOK_SECRET: SECRET },
    );

    // The first commit is applied and its revision shown in /status, /metrics and the label.
    await eventually(async () => (await labelsOf(`${PREFIX}a`))?.["alacrity.revision"] === sha1, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await eventually(async () => (await alacrity.status()).git?.appliedRevision === sha1, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const first = (await alacrity.status()).git!;
    expect(first).toMatchObject({ url: repo.fileUrl, ref: "main", revision: sha1, fetchErrors: 0 });
    expect(first.lastFetch).toBeDefined();
    const metrics = (await alacrity.get("/metrics")).body;
    expect(metrics).toContain(`revision="${sha1}"`);
    expect(metrics).toMatch(/^alacrity_git_last_fetch_timestamp_seconds [1-9]/m);

    // Unsigned and wrongly signed webhooks are refused and trigger nothing: not even a fetch, in a
    // window longer than the one the signed webhook below must be served in (its positive control).
    const WEBHOOK_MS = 1000;
    const fetchedBefore = (await alacrity.status()).git?.lastFetch;
    expect(fetchedBefore).toBeDefined();
    const sha2 = repo.commit({ "apps/a.yaml": app("a", "2") }, "two");
    expect((await alacrity.get("/hooks/git", { method: "POST", body: "{}" })).status).toBe(401);
    expect(
      (
        await alacrity.get("/hooks/git", {
          method: "POST",
          body: "{}",
          headers: { authorization: "Bearer wrong" },
        })
      ).status,
    ).toBe(401);
    await new Promise((r) => setTimeout(r, WEBHOOK_MS * 1.5));
    expect((await alacrity.status()).git).toMatchObject({ revision: sha1, lastFetch: fetchedBefore });

    // A signed webhook makes it fetch at once: the new commit is checked out within a second.
    const sent = Date.now();
    const hook = await alacrity.get("/hooks/git", {
      method: "POST",
      body: "{}",
      headers: { "x-alacrity-token": SECRET },
    });
    expect(hook.status).toBe(202);
    await eventually(async () => (await alacrity.status()).git?.revision === sha2, {
      timeoutMs: 5000,
      intervalMs: 25,
    });
    const ms = Date.now() - sent;
    console.log(`[gitops] webhook to new commit checked out: ${ms} ms`);
    expect(ms).toBeLessThan(WEBHOOK_MS);
    await eventually(async () => (await envOf(`${PREFIX}a`))?.includes("V=2"), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect((await labelsOf(`${PREFIX}a`))?.["alacrity.revision"]).toBe(sha2);
    await eventually(async () => (await alacrity.status()).git?.appliedRevision === sha2, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });

    // A commit with an invalid file: its valid app is applied, the invalid file's app is kept as
    // it was, the commit is reported as failed, and the last fully applied commit stays sha2.
    const bad = appYaml(`${PREFIX}a`, { env: { V: "3" }, replicas: -1 }, SUITE_LABELS);
    const sha3 = repo.commit({ "apps/a.yaml": bad, "apps/b.yaml": app("b", "1") }, "bad");
    expect(
      (
        await alacrity.get("/hooks/git", {
          method: "POST",
          body: "{}",
          headers: { authorization: `Bearer ${SECRET}` },
        })
      ).status,
    ).toBe(202);
    await eventually(async () => (await labelsOf(`${PREFIX}b`))?.["alacrity.revision"] === sha3, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const failed = await eventually(
      async () => {
        const git = (await alacrity.status()).git;
        return git?.failedRevision === sha3 ? git : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(failed.revision).toBe(sha3);
    expect(failed.appliedRevision).toBe(sha2);
    expect(failed.failedFiles).toEqual(["a.yaml"]);
    expect(failed.lastError).toMatch(/replicas/);
    expect(await envOf(`${PREFIX}a`)).toContain("V=2");
    expect((await labelsOf(`${PREFIX}a`))?.["alacrity.revision"]).toBe(sha2);
    expect(alacrity.stderr()).toMatch(/commit not fully applied/);
    expect((await alacrity.get("/metrics")).body).toMatch(/^alacrity_git_revision_failed 1$/m);

    // A force-push back to the first commit: it converges to it (b removed, a back to V=1).
    repo.forcePush(sha1);
    expect(
      (
        await alacrity.get("/hooks/git", {
          method: "POST",
          body: "{}",
          headers: { "x-alacrity-token": SECRET },
        })
      ).status,
    ).toBe(202);
    await eventually(async () => (await labelsOf(`${PREFIX}b`)) === undefined, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    await eventually(async () => (await envOf(`${PREFIX}a`))?.includes("V=1"), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    await eventually(async () => (await alacrity.status()).git?.appliedRevision === sha1, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const back = (await alacrity.status()).git!;
    expect(back.revision).toBe(sha1);
    expect(back.failedRevision).toBeUndefined();
  });

  it("over git://, keeps the last good commit while the remote is down or the branch is deleted, and re-clones a corrupt repository", async () => {
    const repo = newRepo();
    const port = await freeLoopbackPort();
    gitDaemon = await startGitDaemon(repo.root, port);
    const sha1 = repo.commit({ "a.yaml": app("d", "1") }, "one");
    const workdir = newWorkdir();
    const alacrity = await spawnAlacrity([
      "--git-url",
      `git://127.0.0.1:${port}/remote.git`,
      "--git-ref",
      "main",
      "--git-interval",
      "500ms",
      "--git-workdir",
      workdir,
      "--resync",
      "3600",
    ]);
    await eventually(async () => (await alacrity.status()).git?.appliedRevision === sha1, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    // Remote down: reported and retried, the checkout and the app are kept.
    await stopProcess(gitDaemon);
    gitDaemon = undefined;
    repo.commit({ "a.yaml": null }, "remove everything");
    const down = await eventually(
      async () => {
        const git = (await alacrity.status()).git;
        return git && git.fetchErrors >= 2 ? git : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(down.revision).toBe(sha1);
    expect(down.lastError).toMatch(/git fetch failed/);
    expect(await labelsOf(`${PREFIX}d`)).toBeDefined();
    expect(alacrity.stderr()).toMatch(/git sync failed; keeping the last good commit/);
    expect(alacrity.stderr()).not.toContain(SECRET);

    // Back up, with the branch deleted: reported, nothing changes.
    repo.forcePush(sha1);
    execGit(repo.bare, "update-ref", "-d", "refs/heads/main");
    gitDaemon = await startGitDaemon(repo.root, port);
    await eventually(async () => /no ref `main`/.test((await alacrity.status()).git?.lastError ?? ""), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect((await alacrity.status()).git?.revision).toBe(sha1);
    expect(await labelsOf(`${PREFIX}d`)).toBeDefined();

    // The branch is back with a new commit while the local repository is corrupt: re-cloned, applied.
    rmSync(join(workdir, "repo.git", "objects"), { recursive: true, force: true });
    const sha2 = repo.commit({ "a.yaml": app("d", "2") }, "two");
    await eventually(async () => (await alacrity.status()).git?.appliedRevision === sha2, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(await envOf(`${PREFIX}d`)).toContain("V=2");
    expect((await alacrity.status()).git?.lastError).toBeUndefined();
    expect(alacrity.stderr()).toMatch(/re-cloning/);
  });
});

function execGit(gitDir: string, ...args: string[]): void {
  execFileSync("git", ["--git-dir", gitDir, ...args], { stdio: "ignore" });
}
