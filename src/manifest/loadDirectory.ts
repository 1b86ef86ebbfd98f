import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import type { Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { boundaryOf, isInside, outsideMessage, type Boundary } from "./containment.js";
import { diskParseCacheFor, type DiskParseCache } from "./diskParseCache.js";
import { compareErrors, DUPLICATE_APP_NAMES } from "./duplicates.js";
import { parseCacheFor, readIsSettled, statKey, type ParseCache } from "./parseCache.js";
import type { parseManifest, ParsedManifest } from "./parseManifest.js";
import { describeFsError, readManifestFile } from "./readManifestFile.js";
import type { AppSpec, DesiredState, InvalidApp, ManifestError } from "./types.js";
import { isManifestFile } from "./manifestFile.js";

/** A manifest file found on disk. */
interface FoundFile {
  /** Where it is read from. */
  path: string;
  /** The name errors use: the directory as the user gave it, joined with `relative`. */
  display: string;
  /** Relative to the apps directory, with forward slashes (the `alacrity.file` label). */
  relative: string;
  /** What the walk saw (following links), when it could look; the parse cache's key. */
  stat?: Stats;
  /** Where the file must lie when it is opened; unset for a file named on the command line. */
  within?: Boundary;
}

/** What a walk found: the files, and the entries it could not or would not look into. */
interface Walk {
  files: FoundFile[];
  problems: WalkProblem[];
}

/** An entry the walk reports: its files are failed files, so their apps are kept, not pruned. */
interface WalkProblem {
  /** Relative to the walked directory; "." for the directory itself. */
  relative: string;
  error: ManifestError;
}

/**
 * Reads the apps directory into the desired state. A missing directory is not an error here
 * (`missing: true`): what that means is for the caller to decide. `deferCacheWriteMs`: for a
 * long-running process, write the disk parse cache that much later instead of before returning.
 */
export async function loadDesiredState(
  dir: string,
  options: {
    deferCacheWriteMs?: number;
    /**
     * A directory containing `dir` that links may lead into (a Git checkout, of which `dir` is the
     * `--git-path`). Default: `dir` itself. Nothing outside it is ever read.
     */
    within?: { dir: string; name: string };
  } = {},
): Promise<DesiredState> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState(true);
    return {
      ...emptyState(false),
      errors: [fileError(dir, describeFsError(error))],
      failedFiles: new Set(["."]),
    };
  }
  if (!isDirectory) {
    return {
      ...emptyState(false),
      errors: [fileError(dir, "is not a directory")],
      failedFiles: new Set(["."]),
    };
  }
  let walk: Walk;
  try {
    const within = options.within;
    walk = findManifestFiles(dir, within ? boundaryOf(within.dir, within.name) : boundaryOf(dir));
  } catch (error) {
    return {
      ...emptyState(false),
      errors: [fileError(dir, describeFsError(error))],
      failedFiles: new Set(["."]),
    };
  }
  const caches = { memory: parseCacheFor(dir), disk: diskParseCacheFor(dir) };
  const state = await loadFiles(walk.files, walk.problems.map(problemError), caches);
  for (const problem of walk.problems) state.failedFiles.add(problem.relative);
  caches.memory.commit();
  caches.disk?.commit({ deferWriteMs: options.deferCacheWriteMs });
  return state;
}

/**
 * Validates files and directories given on the command line (`alacrity validate PATH...`).
 * Files are read whatever their extension, where they are (naming one is choosing it);
 * directories as `loadDesiredState` reads them, never outside them.
 * `failedFiles` holds the names as printed. Always parses: validate is how users look at errors,
 * so it must not depend on what a cache holds.
 */
export async function validatePaths(paths: readonly string[]): Promise<DesiredState> {
  const files: FoundFile[] = [];
  const errors: ManifestError[] = [];
  const failed: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      errors.push(fileError(path, describeFsError(error)));
      continue;
    }
    let found: Walk;
    try {
      found = isDirectory
        ? findManifestFiles(path, boundaryOf(path))
        : { files: [{ path, display: path, relative: path }], problems: [] };
    } catch (error) {
      errors.push(fileError(path, describeFsError(error)));
      continue;
    }
    errors.push(...found.problems.map(problemError));
    failed.push(...found.problems.map((problem) => problem.error.file));
    for (const file of found.files) {
      // The same file named twice (a directory and a file in it) must not count as a duplicate app.
      const real = await realpath(file.path).catch(() => file.path);
      if (seen.has(real)) continue;
      seen.add(real);
      files.push({ ...file, relative: file.display });
    }
  }
  const state = await loadFiles(files, errors);
  for (const file of failed) state.failedFiles.add(file);
  return state;
}

interface Caches {
  /** Results by path and stat, for the daemon's reloads. */
  memory: ParseCache;
  /** Results by content, kept between processes; undefined when off. */
  disk: DiskParseCache | undefined;
}

async function loadFiles(
  files: readonly FoundFile[],
  walkErrors: ManifestError[],
  caches?: Caches,
): Promise<DesiredState> {
  const apps: AppSpec[] = [];
  const invalid: InvalidApp[] = [];
  const errors = [...walkErrors];
  const failedFiles = new Set<string>();
  const relativeOf = new Map<string, string>();
  for (const file of files) {
    relativeOf.set(file.display, file.relative);
    const parsed = await parseFile(file, caches);
    apps.push(...parsed.apps.map((app) => ({ ...app, file: file.relative })));
    invalid.push(...parsed.invalid);
    errors.push(...parsed.errors);
    if (parsed.errors.length > 0) failedFiles.add(file.relative);
  }
  const { unique, duplicates } = DUPLICATE_APP_NAMES.check(apps);
  for (const duplicate of duplicates) {
    invalid.push(duplicate);
    errors.push(...duplicate.errors);
    failedFiles.add(relativeOf.get(duplicate.file) ?? duplicate.file);
  }
  errors.sort(compareErrors);
  return {
    apps: new Map(unique.map((app) => [app.name, app])),
    invalid,
    errors,
    failedFiles,
    fileCount: files.length,
    missing: false,
  };
}

/**
 * One file's apps: from memory when the file's stat is unchanged since it was last parsed, else
 * from the disk cache when its text was parsed by an earlier process, else parsed.
 */
async function parseFile(file: FoundFile, caches: Caches | undefined): Promise<ParsedManifest> {
  const key = caches && file.stat?.isFile() ? statKey(file.display, file.stat) : undefined;
  const disk = caches?.disk;
  if (caches && key !== undefined) {
    const cached = caches.memory.get(file.path, key);
    // The disk cache must hear of the file too, or its next write would drop the entry.
    if (cached && (disk === undefined || disk.keep(file.display))) return cached;
    // An earlier process read this file with this very stat: its text is known without a read.
    const byStat = disk?.getByStat(file.display, key);
    if (byStat) {
      if (file.stat) caches.memory.set(file.path, key, file.stat, byStat, Date.now());
      return byStat;
    }
  }
  const readAt = Date.now();
  const read = await readManifestFile(file.path, file.display, file.within);
  if ("error" in read)
    return { apps: [], invalid: [{ file: file.display, errors: [read.error] }], errors: [read.error] };
  const diskKey = disk?.keyOf(file.display, read.text);
  let parsed = diskKey === undefined ? undefined : disk?.get(diskKey, file.display);
  if (!parsed) {
    parsed = (await parser())(read.text, file.display);
    if (diskKey !== undefined) disk?.set(diskKey, file.display, parsed);
  }
  if (diskKey !== undefined && key !== undefined && file.stat && readIsSettled(file.stat, readAt))
    disk?.recordStat(file.display, key, diskKey);
  if (key !== undefined && file.stat) caches?.memory.set(file.path, key, file.stat, parsed, Date.now());
  return parsed;
}

let parserModule: Promise<typeof parseManifest> | undefined;

/**
 * The parser, imported on first use: loading the YAML and schema libraries takes longer than a
 * load served entirely from the caches.
 */
function parser(): Promise<typeof parseManifest> {
  parserModule ??= import("./parseManifest.js").then((module) => module.parseManifest);
  return parserModule;
}

/**
 * Loads the parser ahead of need, for a long-running process: its first changed manifest then
 * does not wait for the YAML and schema libraries (about 0.2 s, and a cold JIT).
 */
export function warmParser(): void {
  parser().then(
    // One parse of a small manifest compiles the parser's functions, which loading does not.
    (parse) => void parse(WARM_UP_MANIFEST, "(warm-up)"),
    () => {
      parserModule = undefined;
    },
  );
}

const WARM_UP_MANIFEST = [
  "apiVersion: alacrity.dev/v1",
  "kind: App",
  "metadata: {name: warm-up, labels: {a: b}}",
  "spec:",
  "  image: busybox:1",
  "  env: {A: b}",
  "  ports: [{target: 80}]",
  "",
].join("\n");

/**
 * Walks a directory, skipping dot names. Links are followed as long as they stay inside
 * `boundary` (a git-sync checkout is a link: the directory given may be one); an entry that leads
 * outside is reported by its own path and neither read nor walked. Synchronous: a thread-pool
 * round trip per entry made a 1000-file directory slow to walk.
 */
function findManifestFiles(root: string, boundary: Boundary): Walk {
  const files: FoundFile[] = [];
  const problems: WalkProblem[] = [];
  const visited = new Set<string>();
  const pending: string[] = [""];
  const report = (relative: string, message: string) =>
    problems.push({
      relative: relative === "" ? "." : relative,
      error: fileError(display(root, relative), message),
    });
  while (pending.length > 0) {
    const relativeDir = pending.pop()!;
    const dirPath = relativeDir === "" ? root : join(root, relativeDir);
    let names: string[];
    try {
      const real = realpathSync.native(dirPath);
      // Checked again here, not only at the link: a directory swapped for a link after it was seen.
      if (!isInside(boundary, real)) {
        report(relativeDir, outsideMessage(boundary));
        continue;
      }
      // A symlink back to an ancestor would make the walk endless.
      if (visited.has(real)) continue;
      visited.add(real);
      names = readdirSync(dirPath).sort();
    } catch (error) {
      report(relativeDir, describeFsError(error));
      continue;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const relative = relativeDir === "" ? name : `${relativeDir}/${name}`;
      const path = join(root, relative);
      const found = { path, display: display(root, relative), relative, within: boundary };
      let entry: Stats;
      try {
        entry = lstatSync(path);
        // Only a link can lead elsewhere, so only links cost a realpath.
        if (entry.isSymbolicLink()) {
          if (!isInside(boundary, realpathSync.native(path))) {
            if (isManifestFile(name) || isDirectoryLink(path)) report(relative, outsideMessage(boundary));
            continue;
          }
          entry = statSync(path);
        }
      } catch {
        // A manifest that cannot even be looked at (a dangling link) is read, fails, and so
        // lands in failedFiles: its apps are kept rather than pruned.
        if (isManifestFile(name)) files.push(found);
        continue;
      }
      if (entry.isDirectory()) pending.push(relative);
      else if (isManifestFile(name)) files.push({ ...found, stat: entry });
    }
  }
  files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return { files, problems };
}

/** Whether a link leads to a directory: a look at its type, not at anything in it. */
function isDirectoryLink(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function problemError(problem: WalkProblem): ManifestError {
  return problem.error;
}

function display(root: string, relative: string): string {
  if (relative === "") return root;
  return root.endsWith("/") ? `${root}${relative}` : `${root}/${relative}`;
}

function fileError(file: string, message: string): ManifestError {
  return { file, line: 1, col: 1, path: "", message };
}

function emptyState(missing: boolean): DesiredState {
  return { apps: new Map(), invalid: [], errors: [], failedFiles: new Set(), fileCount: 0, missing };
}
