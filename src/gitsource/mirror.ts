import { mkdir, rm } from "node:fs/promises";
import type { Logger } from "pino";
import { isDirectory, type WorkdirLayout } from "./checkouts.js";
import { GitError, looksCorrupt, runGit, type GitRunOptions } from "./gitCommand.js";
import { restrictRepository } from "./workdirSafety.js";

/** The repository lost its integrity: it is re-cloned (re-initialised and fetched again). */
class CorruptRepository extends Error {}

/**
 * The source's bare mirror of one ref of the remote (`<workdir>/repo`): fetching the ref into it
 * and telling a fault of ours (a corrupt or missing repository, which re-initialising cures) from
 * one of the remote (unreachable, the ref deleted), which only the remote's owner can fix.
 */
export class RemoteMirror {
  readonly #layout: WorkdirLayout;
  readonly #url: string;
  readonly #ref: string;
  readonly #git: GitRunOptions;
  readonly #log: Logger;

  constructor(layout: WorkdirLayout, url: string, ref: string, git: GitRunOptions, log: Logger) {
    this.#layout = layout;
    this.#url = url;
    this.#ref = ref;
    this.#git = git;
    this.#log = log;
  }

  /** Like `fetch`, but a mirror found corrupt is re-cloned and fetched once more. */
  async fetchRecloning(): Promise<string> {
    try {
      return await this.fetch();
    } catch (error) {
      if (!(error instanceof CorruptRepository)) throw error;
      this.#log.warn({ error: error.message }, "the local repository is corrupt; re-cloning");
      await this.reinit();
      return this.fetch();
    }
  }

  /**
   * Fetches the ref into `refs/alacrity/target` and returns its commit; throws `CorruptRepository`
   * when the fault is the mirror's.
   */
  async fetch(): Promise<string> {
    if (!(await this.#usable())) {
      if (await isDirectory(this.#layout.repo)) {
        this.#log.warn("the local repository is unusable; re-cloning");
      }
      await this.reinit();
    }
    const repo = ["--git-dir", this.#layout.repo];
    try {
      await runGit(
        [
          ...repo,
          "fetch",
          "--quiet",
          "--no-tags",
          "--force",
          "--",
          this.#url,
          `+${this.#ref}:refs/alacrity/target`,
        ],
        this.#git,
      );
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      if (looksCorrupt(error.stderr)) throw new CorruptRepository(error.message);
      // The remote may be fine and the ref there: then the fault is ours (corrupt repository).
      const remote = await this.#probeRemote();
      if (remote === "ref-found") throw new CorruptRepository(error.message);
      if (remote === "ref-missing") {
        throw new Error(`the remote has no ref \`${this.#ref}\` (deleted branch or tag?); ${error.message}`);
      }
      throw error;
    }
    try {
      return (
        await runGit(
          [...repo, "rev-parse", "--verify", "--quiet", "refs/alacrity/target^{commit}"],
          this.#git,
        )
      ).trim();
    } catch (error) {
      throw new CorruptRepository(error instanceof Error ? error.message : String(error));
    }
  }

  /** Replaces the mirror with an empty repository; the next fetch fills it again. */
  async reinit(): Promise<void> {
    await rm(this.#layout.repo, { recursive: true, force: true });
    await mkdir(this.#layout.root, { recursive: true });
    await runGit(["init", "--quiet", "--bare", this.#layout.repo], this.#git);
    await restrictRepository(this.#layout);
  }

  async #probeRemote(): Promise<"ref-found" | "ref-missing" | "unreachable"> {
    try {
      const out = await runGit(["ls-remote", "--", this.#url, this.#ref], {
        ...this.#git,
        timeoutMs: 30_000,
      });
      return out.trim() === "" ? "ref-missing" : "ref-found";
    } catch {
      return "unreachable";
    }
  }

  async #usable(): Promise<boolean> {
    try {
      const out = await runGit(
        ["--git-dir", this.#layout.repo, "rev-parse", "--is-bare-repository"],
        this.#git,
      );
      return out.trim() === "true";
    } catch {
      return false;
    }
  }
}
