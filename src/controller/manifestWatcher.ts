import { watch as fsWatch, realpathSync, type FSWatcher as NodeFSWatcher, type Stats } from "node:fs";
import { realpath } from "node:fs/promises";
import { basename, dirname, relative, resolve, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { backgroundClock, systemClock, type Clock, type TimerHandle } from "../domain/clock.js";
import { isInside, type Boundary } from "../manifest/containment.js";
import { isManifestFile } from "../manifest/manifestFile.js";
import { debounce } from "./debounce.js";

export interface ManifestWatcherOptions {
  /** The apps directory; may be a symlink that is swapped to a new checkout (git-sync). */
  dir: string;
  /**
   * Called once per burst of relevant changes. It only signals: the daemon reloads the whole
   * directory, never trusting single events (they can be lost, merged or reordered).
   */
  onChange: () => void;
  /**
   * Called at the first event of a burst, `quietMs` before `onChange` at the earliest: the daemon
   * starts reading the Swarm then, so the read is done by the time the burst is.
   */
  onBurstStart?: () => void;
  onError?: (error: unknown) => void;
  /**
   * Files that are not manifests but whose change must reload too: the files a Secret or Config
   * document reads (`spec.file`), by path relative to the apps directory with `/` separators.
   */
  isContentFile?: (relativePath: string) => boolean;
  /**
   * Quiet window that ends a burst. Default 50 ms: long enough to merge the writes of one save or
   * checkout, short next to the 300 ms an edit may take to reach the Swarm.
   */
  quietMs?: number;
  /** Longest a burst may delay the call. Default 1000 ms. */
  maxWaitMs?: number;
  /**
   * How often the directory's real path is checked, as a fallback to watching its parent (some
   * file systems do not report a rename over a symlink). Default 500 ms; a `realpath` is cheap.
   */
  rootPollMs?: number;
  /**
   * Times the debounce and the root poll. Default: the process's timers, the poll's not keeping
   * the process alive (the debounce's do, so that a pending reload is not dropped).
   */
  clock?: Clock;
}

export interface ManifestWatcher {
  /** The directory's current real path, or null while it does not exist. */
  readonly root: string | null;
  close(): Promise<void>;
}

/**
 * True for paths inside `root` that have a segment starting with `.` (dotfiles, `.git`). Called
 * by chokidar for every entry each time it re-reads a directory (on any change in it), so it is
 * string work only: `path.relative` here was most of a 1000-file rescan's filtering.
 */
function isHidden(root: string, p: string): boolean {
  if (p.startsWith(root) && (p.length === root.length || p[root.length] === sep)) {
    return p.includes(`${sep}.`, root.length);
  }
  const rel = relative(root, p);
  return rel !== "" && rel.split(sep).some((segment) => segment.startsWith("."));
}

/**
 * True for a link leading outside the watched tree: the load does not read it, so there is nothing
 * to watch, and following `rootfs -> /` would watch the whole file system. chokidar hands over
 * lstat results, so only links cost a realpath.
 */
function leadsOutside(boundary: Boundary, p: string, stats: Stats | undefined): boolean {
  if (stats?.isSymbolicLink() !== true) return false;
  try {
    return !isInside(boundary, realpathSync.native(p));
  } catch {
    return false;
  }
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

/**
 * Watches the apps directory and calls `onChange` once per burst of changes to manifest files.
 *
 * chokidar watches the directory's *real* path. When the directory is a symlink that is swapped
 * atomically (`ln -s new tmp && mv -T tmp apps`), the old watch goes on watching the old checkout,
 * so the symlink itself is followed separately: the parent directory is watched for changes to the
 * entry, and the real path is also polled; when it changes, chokidar is restarted on the new target
 * and a reload is signalled. The same covers the directory being deleted and created again.
 */
export async function watchManifests(options: ManifestWatcherOptions): Promise<ManifestWatcher> {
  const dir = resolve(options.dir);
  const onError = options.onError ?? (() => undefined);
  const debouncer = debounce(
    () => {
      if (closed) return;
      try {
        options.onChange();
      } catch (error) {
        onError(error);
      }
    },
    {
      quietMs: options.quietMs ?? 50,
      maxWaitMs: options.maxWaitMs ?? 1000,
      onBurstStart: () => {
        if (closed) return;
        try {
          options.onBurstStart?.();
        } catch (error) {
          onError(error);
        }
      },
    },
    options.clock ?? systemClock,
  );

  let closed = false;
  let root = await realpathOrNull(dir);
  let files: FSWatcher | undefined = root === null ? undefined : await watchTree(root);

  async function watchTree(treeRoot: string): Promise<FSWatcher> {
    const boundary = { real: treeRoot, name: "the apps directory" };
    const watcher = watch(treeRoot, {
      ignoreInitial: true,
      followSymlinks: true,
      ignored: (p: string, stats?: Stats) => isHidden(treeRoot, p) || leadsOutside(boundary, p, stats),
    });
    const relevant = (p: string): boolean =>
      isManifestFile(p) || (options.isContentFile?.(relative(treeRoot, p).split(sep).join("/")) ?? false);
    watcher.on("all", (event, p) => {
      if (
        event === "unlinkDir" ||
        ((event === "add" || event === "change" || event === "unlink") && relevant(p))
      ) {
        debouncer.trigger();
      }
    });
    watcher.on("error", onError);
    await new Promise<void>((resolve) => watcher.once("ready", resolve));
    return watcher;
  }

  // Root checks are serialised so that two quick swaps never leave two chokidar watchers running.
  let checking: Promise<void> = Promise.resolve();
  const checkRoot = (): void => {
    checking = checking.then(async () => {
      if (closed) return;
      const next = await realpathOrNull(dir);
      if (next === root || closed) return;
      root = next;
      const old = files;
      files = undefined;
      await old?.close();
      if (next !== null && !closed) files = await watchTree(next);
      debouncer.trigger();
    });
    checking = checking.catch(onError);
  };

  let parentWatch: NodeFSWatcher | undefined;
  try {
    parentWatch = fsWatch(dirname(dir), (_event, filename) => {
      if (filename === null || filename === basename(dir)) checkRoot();
    });
    parentWatch.on("error", onError);
  } catch (error) {
    // A missing or unwatchable parent leaves the poll below to notice changes.
    parentWatch = undefined;
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") onError(error);
  }
  const pollClock = options.clock ?? backgroundClock;
  const rootPollMs = options.rootPollMs ?? 500;
  let poll: TimerHandle;
  const schedulePoll = (): void => {
    poll = pollClock.setTimeout(() => {
      if (closed) return;
      checkRoot();
      schedulePoll();
    }, rootPollMs);
  };
  schedulePoll();

  return {
    get root() {
      return root;
    },
    async close() {
      closed = true;
      pollClock.clearTimeout(poll);
      parentWatch?.close();
      debouncer.cancel();
      await checking;
      await files?.close();
      files = undefined;
    },
  };
}
