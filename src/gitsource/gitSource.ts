import { join } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { committedLinks, missingLinks } from "./checkoutLinks.js";
import {
  currentRevision,
  isDirectory,
  materialize,
  pruneCheckouts,
  swapCurrent,
  workdirLayout,
  type WorkdirLayout,
} from "./checkouts.js";
import { FetchLoop, type FetchLoopOptions, type SyncResult } from "./fetchLoop.js";
import {
  GitError,
  credentialSecrets,
  gitEnvironment,
  looksCorrupt,
  type GitCredentials,
  type GitRunOptions,
} from "./gitCommand.js";
import { RemoteMirror } from "./mirror.js";
import { redactUrl, urlSecrets } from "./redact.js";
import { prepareWorkdir } from "./workdirSafety.js";

export type { SyncResult } from "./fetchLoop.js";

export interface GitSourceOptions {
  /** Any URL git understands: https://, ssh://, scp-like `git@host:repo`, git://, file://, a path. */
  url: string;
  /** Branch, tag or any ref name of the remote. Default `HEAD` (the remote's default branch). */
  ref?: string;
  /** Subdirectory of the repository holding the manifests. Default: the repository root. */
  path?: string;
  /** The directory the source owns (repository, checkouts, `current`). */
  workdir: string;
  /** Polling period; webhooks trigger fetches in between. */
  intervalMs: number;
  credentials?: GitCredentials;
  /** Base environment of git. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Called after `current` points to a new commit. */
  onRevision?: (revision: string, previous: string | undefined) => void | Promise<void>;
  /** Called after every fetch attempt, successful or not. */
  onSynced?: () => void;
  /** Per git command. Default 120 s. */
  gitTimeoutMs?: number;
  random?: () => number;
  /**
   * Times the fetches and each git command's kill. Default: the system clock, the fetch timers
   * never keeping the process alive.
   */
  clock?: Clock;
}

export interface GitSourceStatus {
  url: string;
  ref: string;
  path: string;
  /** The commit `current` points to: the one being applied. */
  revision?: string;
  /** ISO time of the last successful fetch. */
  lastFetch?: string;
  /** The last fetch error, until a fetch succeeds. */
  lastError?: string;
  /** Fetch attempts that failed since start. */
  fetchErrors: number;
  /** Consecutive failed attempts (the backoff's exponent). */
  consecutiveFailures: number;
  /** ISO time of the next scheduled fetch. */
  nextFetch?: string;
}

/**
 * Follows one ref of a Git remote: fetches it periodically and on demand, writes every new commit
 * into a checkout of its own and swaps the `current` symlink to it atomically. Whatever fails —
 * an unreachable remote, a deleted ref, a corrupt repository, a commit without the manifests
 * directory — leaves `current` untouched (the last good commit keeps running), is reported, and is
 * retried with capped backoff; a corrupt repository is re-cloned.
 */
export class GitSource {
  readonly layout: WorkdirLayout;
  readonly #options: GitSourceOptions;
  readonly #ref: string;
  readonly #path: string;
  readonly #git: GitRunOptions;
  readonly #log: Logger;
  readonly #mirror: RemoteMirror;
  readonly #loop: FetchLoop;
  #revision: string | undefined;
  #firstCheckout: { promise: Promise<void>; resolve: () => void };
  /** Per commit: the committed links left out of its checkout, by path in the repository. */
  #removedLinks = new Map<string, Promise<string[]>>();

  constructor(options: GitSourceOptions) {
    this.#options = options;
    this.#ref = options.ref ?? "HEAD";
    this.#path = normalizeSubdir(options.path ?? "");
    this.layout = workdirLayout(options.workdir);
    const credentials = options.credentials ?? {};
    this.#git = {
      env: gitEnvironment(options.env ?? process.env, credentials),
      // A password or token in the URL itself is hidden from git's messages like the header token.
      secrets: [...credentialSecrets(credentials), ...urlSecrets(options.url)],
      timeoutMs: options.gitTimeoutMs ?? 120_000,
      ...(options.clock ? { clock: options.clock } : {}),
    };
    this.#log = options.logger.child({ component: "git", url: redactUrl(options.url), ref: this.#ref });
    this.#mirror = new RemoteMirror(this.layout, options.url, this.#ref, this.#git, this.#log);
    const loop: FetchLoopOptions = {
      sync: (reason) => this.#sync(reason),
      intervalMs: options.intervalMs,
      secrets: this.#git.secrets ?? [],
      revision: () => this.#revision,
      logger: this.#log,
    };
    if (options.onSynced) loop.onSynced = options.onSynced;
    if (options.random) loop.random = options.random;
    if (options.clock) loop.clock = options.clock;
    this.#loop = new FetchLoop(loop);
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#firstCheckout = { promise, resolve };
  }

  /** The apps directory: `<workdir>/current/<path>`. */
  get appsDir(): string {
    return this.#path === "" ? this.layout.current : join(this.layout.current, this.#path);
  }

  /** The commit `current` points to. */
  get revision(): string | undefined {
    return this.#revision;
  }

  /** The apps directory inside the checkout of `revision` (a path that never changes under a reader). */
  checkoutDir(revision: string): string {
    const dir = this.checkoutRoot(revision);
    return this.#path === "" ? dir : join(dir, this.#path);
  }

  /** The whole checkout of `revision`: the repository's tree at that commit. */
  checkoutRoot(revision: string): string {
    return join(this.layout.checkouts, revision);
  }

  /**
   * The links of `revision` left out of its checkout because they lead outside it, relative to
   * the apps directory (those elsewhere in the repository are not its business). Known from the
   * checkout itself, so a restart that reuses a checkout knows them too.
   */
  async removedLinks(revision: string): Promise<string[]> {
    let removed = this.#removedLinks.get(revision);
    if (!removed) {
      removed = committedLinks(this.layout.repo, revision, this.#git).then((links) =>
        missingLinks(this.checkoutRoot(revision), links),
      );
      this.#removedLinks.set(revision, removed);
      removed.catch(() => this.#removedLinks.delete(revision));
    }
    const prefix = this.#path === "" ? "" : `${this.#path}/`;
    return (await removed).filter((link) => link.startsWith(prefix)).map((link) => link.slice(prefix.length));
  }

  /**
   * Picks up the checkout a previous run left (so a restart with the remote down keeps the last
   * good commit), then fetches at once and every interval. Resolves after the first attempt.
   */
  async start(): Promise<SyncResult> {
    await prepareWorkdir(this.layout);
    this.#revision = await currentRevision(this.layout);
    if (this.#revision !== undefined) {
      this.#log.info(
        { revision: this.#revision },
        "using the checkout of the previous run until the first fetch",
      );
      this.#firstCheckout.resolve();
    }
    return this.#loop.run("start");
  }

  /** Resolves once a commit is checked out (at once after a restart that found one). */
  firstCheckout(): Promise<void> {
    return this.#firstCheckout.promise;
  }

  /** Fetches now (a webhook); a trigger during a fetch makes one more fetch after it. */
  trigger(reason: string): void {
    this.#loop.trigger(reason);
  }

  stop(): Promise<unknown> {
    return this.#loop.stop();
  }

  status(): GitSourceStatus {
    const loop = this.#loop.state();
    const status: GitSourceStatus = {
      url: redactUrl(this.#options.url),
      ref: this.#ref,
      path: this.#path,
      fetchErrors: loop.fetchErrors,
      consecutiveFailures: loop.consecutiveFailures,
    };
    if (this.#revision !== undefined) status.revision = this.#revision;
    if (loop.lastFetch !== undefined) status.lastFetch = new Date(loop.lastFetch).toISOString();
    if (loop.lastError !== undefined) status.lastError = loop.lastError;
    if (loop.nextFetch !== undefined) status.nextFetch = new Date(loop.nextFetch).toISOString();
    return status;
  }

  /** Unix ms of the last successful fetch. */
  get lastFetchMs(): number | undefined {
    return this.#loop.state().lastFetch;
  }

  /** Fetches the ref and, for a new commit, checks it out and points `current` to it. */
  async #sync(reason: string): Promise<"changed" | "unchanged"> {
    let sha = await this.#mirror.fetchRecloning();
    if (sha === this.#revision && (await currentRevision(this.layout)) === sha) {
      this.#log.debug({ reason, revision: sha }, "no new commit");
      return "unchanged";
    }
    let removed: string[] | undefined;
    try {
      removed = await materialize(this.layout, sha, this.#git);
    } catch (error) {
      if (!(error instanceof GitError && looksCorrupt(error.message))) throw error;
      this.#log.warn({ error: error.message }, "the local repository is corrupt; re-cloning");
      await this.#mirror.reinit();
      const again = await this.#mirror.fetch();
      removed = await materialize(this.layout, again, this.#git);
      sha = again;
    }
    if (removed !== undefined) {
      this.#removedLinks.set(sha, Promise.resolve(removed));
      // Once per commit: its checkout is made once. The paths only: a target may say too much.
      if (removed.length > 0) {
        this.#log.warn(
          { revision: sha, links: removed },
          "left symbolic links out of the checkout: they lead outside the repository or to nothing",
        );
      }
    }
    const dir = this.checkoutDir(sha);
    if (!(await isDirectory(dir))) {
      throw new Error(`commit ${sha} has no directory \`${this.#path}\`; not switching to it`);
    }
    const previous = this.#revision;
    await swapCurrent(this.layout, sha);
    this.#revision = sha;
    const keep = new Set([sha]);
    if (previous !== undefined) keep.add(previous);
    await pruneCheckouts(this.layout, keep);
    for (const revision of this.#removedLinks.keys())
      if (!keep.has(revision)) this.#removedLinks.delete(revision);
    this.#log.info({ reason, revision: sha, previous }, "switched to a new commit");
    this.#firstCheckout.resolve();
    try {
      await this.#options.onRevision?.(sha, previous);
    } catch (error) {
      this.#log.error({ err: error }, "onRevision failed");
    }
    return "changed";
  }
}

function normalizeSubdir(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new Error(`Expected --git-path inside the repository, got \`${path}\``);
  return parts.join("/");
}
