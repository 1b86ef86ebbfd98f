import type Docker from "dockerode";
import type { Logger } from "pino";
import { lookupEngineNode, type EngineNodeLookup } from "../apply/engineNode.js";
import { resolveHostPaths, type HostPathLookup } from "../apply/resolveHostPaths.js";
import { loadDesiredState } from "../manifest/loader/index.js";
import type { DesiredState } from "../manifest/types.js";
import { plan } from "../reconcile/plan.js";
import type { PlanOptions, ResolvedContents } from "../reconcile/types.js";
import { contentVersions, resolveContents } from "../content/index.js";
import type { Boundary } from "../manifest/containment.js";
import { dockerMessage, isRetryable } from "../swarm/errors.js";
import { watchEvents } from "../swarm/events.js";
import { execute } from "../swarm/execute.js";
import type { BackupFirstOptions } from "../maintenance/backupFirst.js";
import { observe } from "../swarm/observe.js";
import type { DaemonDeps } from "./daemonDeps.js";
import { watchManifests } from "./manifestWatcher.js";

export interface SwarmDaemonOptions {
  docker: Docker;
  /** The apps directory (may be a symlink swapped by git-sync). */
  dir: string;
  plan: PlanOptions;
  /** The Git commit of the manifests being planned, read on every plan (overrides `plan.revision`). */
  revision?: () => string | undefined;
  logger: Logger;
  /** `--age-key-file`: the identities `.age` secret files are decrypted with. */
  ageKeyFile?: string;
  /** How updates marked `backupFirst` are backed up first (`--backup-dir`, the helper image). */
  backups?: BackupFirstOptions;
  /** Debounce of manifest changes; defaults are the watcher's (50 ms quiet, 1 s max). */
  watch?: { quietMs?: number; maxWaitMs?: number };
}

/** The daemon writes its parse cache this long after a reload, off the edit → update path. */
const CACHE_WRITE_DELAY_MS = 2000;

/** The daemon's dependencies on the real layers: the manifests on disk and a Docker Swarm. */
export function swarmDaemonDeps(options: SwarmDaemonOptions): DaemonDeps {
  const { docker, dir, logger } = options;
  // Symlinks of bound host paths, resolved at each load (I/O stays here, the planner stays pure).
  let hostPaths: HostPathLookup = { resolvedHostPaths: new Map(), unseenHostPaths: new Set() };
  let contents: ResolvedContents = { secrets: new Map(), configs: new Map() };
  // Which node the engine is, read at a load only when an app mounts an external volume.
  let engineNode: EngineNodeLookup = {};
  // The files the last load's Secret and Config documents read: a change to one reloads too.
  let contentFiles: ReadonlySet<string> = new Set();
  const readInputs = async (
    desired: DesiredState,
    appsDir: string,
    within?: Boundary,
  ): Promise<DesiredState> => {
    hostPaths = await resolveHostPaths(desired);
    engineNode = await lookupEngineNode(docker, desired);
    contents = await resolveContents(desired, {
      appsDir,
      env: process.env,
      ageIdentityFile: options.ageKeyFile,
      ...(within ? { within } : {}),
    });
    contentFiles = desired.contentFiles ?? new Set();
    return { ...desired, contentVersions: contentVersions(contents) };
  };
  return {
    loadDesired: async () =>
      readInputs(await loadDesiredState(dir, { deferCacheWriteMs: CACHE_WRITE_DELAY_MS }), dir),
    readInputs,
    observe: () => observe(docker),
    plan: (desired, observed) =>
      plan(
        desired,
        observed,
        options.revision
          ? { ...options.plan, ...hostPaths, ...engineNode, contents, revision: options.revision() }
          : { ...options.plan, ...hostPaths, ...engineNode, contents },
      ),
    execute: async (action, observed) => {
      const run = (a: typeof action, o: typeof observed): Promise<void> => execute(docker, a, o);
      if (!options.backups || action.kind !== "update" || !action.backupFirst) return run(action, observed);
      const { withBackupFirst } = await import("../maintenance/backupFirst.js");
      return withBackupFirst(docker, run, options.backups)(action, observed);
    },
    executeResource: (action) => execute(docker, action),
    isRetryable,
    describeError: dockerMessage,
    watchEvents: (onEvent, onError) => watchEvents(docker, onEvent, onError),
    watchManifests: (onChange, onBurstStart) =>
      watchManifests({
        dir,
        onChange,
        onBurstStart,
        onError: (err) => logger.warn({ err }, "manifest watch error"),
        isContentFile: (path) => contentFiles.has(path),
        ...options.watch,
      }),
    logger,
  };
}
