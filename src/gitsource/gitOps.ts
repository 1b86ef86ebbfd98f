import { homedir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { boundaryOf, type Boundary } from "../manifest/containment.js";
import { loadDesiredState } from "../manifest/loader/index.js";
import type { DesiredState } from "../manifest/types.js";
import { ApplyTracker, type ApplyTrackerDeps } from "./applyTracker.js";
import { withRemovedLinks } from "./checkoutLinks.js";
import { registerGitMetrics } from "./gitMetrics.js";
import { GitSource } from "./gitSource.js";
import type { GitSourceOptions } from "./gitSource.js";

/** A commit's parse cache is written this long after its load, off the commit → update path. */
const CACHE_WRITE_DELAY_MS = 2000;

/** The source's own settings; GitOps supplies the callbacks itself. */
export type GitOpsOptions = Pick<
  GitSourceOptions,
  "url" | "ref" | "path" | "workdir" | "intervalMs" | "credentials" | "logger"
>;

/**
 * What GitOps needs of the daemon's dependencies to load commits in their place: the daemon's own
 * type is the controller's business, so `wrap` takes any object with these and returns it as it came.
 */
export interface LoadingDeps extends Pick<ApplyTrackerDeps, "observe" | "plan"> {
  loadDesired(): Promise<DesiredState>;
  /** Reads what a loaded state points at (secret files, host paths' links) for the next plans. */
  readInputs?(desired: DesiredState, appsDir: string, within?: Boundary): Promise<DesiredState>;
}

/** What GitOps needs of the running daemon. */
export interface ResyncingDaemon {
  resync(reason: string): Promise<void>;
  idle(): Promise<void>;
}

/** The `git` object of `/status`. */
export interface GitStatus {
  url: string;
  ref: string;
  path: string;
  /** The commit being applied (`current` points to it). */
  revision?: string;
  /** The last commit the Swarm fully matched. */
  appliedRevision?: string;
  appliedAt?: string;
  /** ISO time of the last successful fetch. */
  lastFetch?: string;
  /** The last fetch error (until a fetch succeeds), else the current commit's failure. */
  lastError?: string;
  fetchErrors: number;
  consecutiveFailures: number;
  nextFetch?: string;
  /** Set while the current commit has invalid manifests or rejected apps. */
  failedRevision?: string;
  failedFiles?: string[];
  errors?: string[];
}

/**
 * Where the working directory goes when `--git-workdir` is not given: `$XDG_STATE_HOME`, else
 * `/var/lib` for root, else `~/.local/state` (the XDG default) — one directory per instance, so
 * two controllers never share a checkout.
 */
export function defaultGitWorkdir(instance: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME
    ? join(env.XDG_STATE_HOME, "alacrity")
    : process.getuid?.() === 0
      ? "/var/lib/alacrity"
      : join(homedir(), ".local", "state", "alacrity");
  return join(base, "git", instance);
}

/**
 * Ties a `GitSource` to the daemon: the daemon reads the manifests of exactly one commit per load
 * (the checkout `current` points to at that moment, by its own immutable path), the planner labels
 * what it applies with that commit, every new commit triggers a full resync, and the tracker tells
 * when the commit is fully applied.
 */
export class GitOps {
  readonly source: GitSource;
  readonly #log: Logger;
  #tracker: ApplyTracker | undefined;
  #daemon: ResyncingDaemon | undefined;

  constructor(options: GitOpsOptions) {
    this.#log = options.logger;
    this.source = new GitSource({
      url: options.url,
      ref: options.ref,
      path: options.path,
      workdir: options.workdir,
      intervalMs: options.intervalMs,
      credentials: options.credentials,
      logger: options.logger,
      onRevision: () => this.#onRevision(),
      onSynced: () => {
        if (this.#daemon && this.source.revision !== this.#tracker?.report().appliedRevision)
          this.#tracker?.checkSoon();
      },
    });
  }

  /** The apps directory the daemon watches. */
  get appsDir(): string {
    return this.source.appsDir;
  }

  /** For the planner's `alacrity.revision` label: the commit the loaded manifests came from. */
  readonly revision = (): string | undefined => this.#tracker?.loadedRevision;

  /** The daemon's dependencies, loading one commit at a time and recording which. */
  wrap<Deps extends LoadingDeps>(deps: Deps): Deps {
    const tracker = new ApplyTracker({
      revision: () => this.source.revision,
      observe: () => deps.observe(),
      plan: (desired, observed) => deps.plan(desired, observed),
      logger: this.#log,
    });
    this.#tracker = tracker;
    return {
      ...deps,
      loadDesired: async () => {
        const revision = this.source.revision;
        const readInputs = (state: DesiredState, appsDir: string, within?: Boundary) =>
          deps.readInputs ? deps.readInputs(state, appsDir, within) : Promise.resolve(state);
        if (revision === undefined)
          return readInputs(await loadDesiredState(this.source.appsDir), this.source.appsDir);
        const dir = this.source.checkoutDir(revision);
        // Links may lead out of --git-path to elsewhere in the repository, never out of it.
        const within = { dir: this.source.checkoutRoot(revision), name: "the Git checkout" };
        const loaded = await loadDesiredState(dir, { within, deferCacheWriteMs: CACHE_WRITE_DELAY_MS });
        const desired = await readInputs(
          withRemovedLinks(loaded, dir, await this.source.removedLinks(revision)),
          dir,
          boundaryOf(within.dir, within.name),
        );
        tracker.loaded(revision, desired);
        return desired;
      },
    };
  }

  /** Starts fetching; resolves after the first attempt (see `firstCheckout`). */
  start(): Promise<unknown> {
    return this.source.start();
  }

  firstCheckout(): Promise<void> {
    return this.source.firstCheckout();
  }

  /** Called once the daemon runs: from now on every new commit resyncs it. */
  attach(daemon: ResyncingDaemon): void {
    this.#daemon = daemon;
    this.#tracker?.checkSoon();
  }

  trigger(reason: string): void {
    this.source.trigger(reason);
  }

  async stop(): Promise<void> {
    this.#tracker?.stop();
    await this.source.stop();
  }

  /** Not ready until a commit is checked out; then as ready as the daemon. */
  readiness(daemon: () => { ready: boolean; reason?: string }): { ready: boolean; reason?: string } {
    if (this.source.revision === undefined) {
      const error = this.source.status().lastError;
      return { ready: false, reason: `no Git checkout yet${error ? `: ${error}` : ""}` };
    }
    return daemon();
  }

  status(): GitStatus {
    const source = this.source.status();
    const report = this.#tracker?.report() ?? {};
    const status: GitStatus = { ...source };
    if (report.appliedRevision !== undefined) status.appliedRevision = report.appliedRevision;
    if (report.appliedAt !== undefined) status.appliedAt = report.appliedAt;
    if (report.failedRevision !== undefined) {
      status.failedRevision = report.failedRevision;
      status.failedFiles = report.failedFiles ?? [];
      status.errors = report.errors ?? [];
      status.lastError ??= `commit ${report.failedRevision} is not fully applied: ${(report.errors ?? []).join("; ")}`;
    }
    return status;
  }

  registerMetrics(registry: Registry): void {
    registerGitMetrics(registry, () => {
      const s = this.status();
      return {
        url: s.url,
        ref: s.ref,
        revision: s.revision,
        appliedRevision: s.appliedRevision,
        lastFetchMs: this.source.lastFetchMs,
        fetchErrors: s.fetchErrors,
        failed: s.failedRevision !== undefined,
      };
    });
  }

  #onRevision(): void {
    const daemon = this.#daemon;
    if (!daemon) return; // the daemon's own first resync loads it
    // Not awaited: the next fetch must not wait for the Swarm to converge.
    void (async () => {
      const revision = this.source.revision ?? "";
      await daemon.resync(`git commit ${revision.slice(0, 12)}`);
      await daemon.idle();
      this.#tracker?.checkSoon();
    })().catch((error: unknown) => this.#log.error({ err: error }, "resync after a new commit failed"));
  }
}
