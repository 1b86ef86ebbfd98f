import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import type { Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { boundaryOf, isInside, outsideMessage, type Boundary } from "./containment.js";
import { compareErrors, DUPLICATE_APP_NAMES } from "./duplicates.js";
import type { ParsedManifest } from "./parseManifest.js";
import { describeFsError } from "./readManifestFile.js";
import { checkReferences, type Documents } from "./references.js";
import type { DesiredState, ManifestError } from "./types.js";
import { isManifestFile } from "./manifestFile.js";

/*
 * Turns a directory (or the paths given to `validate`) into the desired state: which files are
 * manifests, where links may lead, how per-file results add up (duplicate names, failed files).
 * How one file becomes its apps is the caller's `FileParser`: the loader (loader/) reads and
 * parses it or takes a result it already has; this module neither caches nor imports the parser.
 */

/** How one manifest file becomes its apps. */
export type FileParser = (file: FoundFile) => Promise<ParsedManifest>;

/** A manifest file found on disk. */
export interface FoundFile {
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
export interface Walk {
  files: FoundFile[];
  problems: WalkProblem[];
}

/** An entry the walk reports: its files are failed files, so their apps are kept, not pruned. */
interface WalkProblem {
  /** Relative to the walked directory; "." for the directory itself. */
  relative: string;
  error: ManifestError;
}

/** What a walk of the apps directory found, or the state when there is nothing to walk. */
export type DirectoryWalk = { ok: true; walk: Walk } | { ok: false; state: DesiredState };

/**
 * Looks for the apps directory's manifest files. A missing directory is not an error here
 * (`missing: true`): what that means is for the caller to decide. `within`: a directory containing
 * `dir` that links may lead into (a Git checkout, of which `dir` is the `--git-path`); default
 * `dir` itself. Nothing outside it is ever read.
 */
export async function walkAppsDirectory(
  dir: string,
  within?: { dir: string; name: string },
): Promise<DirectoryWalk> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: false, state: emptyState(true) };
    return { ok: false, state: failedDirectory(dir, describeFsError(error)) };
  }
  if (!isDirectory) return { ok: false, state: failedDirectory(dir, "is not a directory") };
  try {
    return {
      ok: true,
      walk: findManifestFiles(dir, within ? boundaryOf(within.dir, within.name) : boundaryOf(dir)),
    };
  } catch (error) {
    return { ok: false, state: failedDirectory(dir, describeFsError(error)) };
  }
}

/** The desired state of what a walk found, each file's apps from `parseFile`. */
export async function stateOfWalk(walk: Walk, parseFile: FileParser): Promise<DesiredState> {
  const state = await loadFiles(walk.files, walk.problems.map(problemError), parseFile);
  for (const problem of walk.problems) state.failedFiles.add(problem.relative);
  return state;
}

/** Reads the apps directory into the desired state (see `walkAppsDirectory`). */
export async function readAppsDirectory(
  dir: string,
  parseFile: FileParser,
  options: { within?: { dir: string; name: string } } = {},
): Promise<DesiredState> {
  const found = await walkAppsDirectory(dir, options.within);
  return found.ok ? stateOfWalk(found.walk, parseFile) : found.state;
}

/**
 * Validates files and directories given on the command line (`alacrity validate PATH...`).
 * Files are read whatever their extension, where they are (naming one is choosing it);
 * directories as `loadDesiredState` reads them, never outside them.
 * `failedFiles` holds the names as printed.
 */
export async function readPaths(paths: readonly string[], parseFile: FileParser): Promise<DesiredState> {
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
  const state = await loadFiles(files, errors, parseFile);
  for (const file of failed) state.failedFiles.add(file);
  return state;
}

async function loadFiles(
  files: readonly FoundFile[],
  walkErrors: ManifestError[],
  parseFile: FileParser,
): Promise<DesiredState> {
  const parsedFiles: { file: FoundFile; parsed: ParsedManifest }[] = [];
  for (const file of files) parsedFiles.push({ file, parsed: await parseFile(file) });
  // A Secret's or Config's file is content, not a manifest (a Config of prometheus.yml).
  const contents = contentFiles(parsedFiles);
  const manifests = parsedFiles.filter(({ file }) => !contents.has(file.relative));

  const all: Documents = { apps: [], networks: [], secrets: [], configs: [], invalid: [] };
  const errors = [...walkErrors];
  const failedFiles = new Set<string>();
  const relativeOf = new Map<string, string>();
  for (const { file, parsed } of manifests) {
    relativeOf.set(file.display, file.relative);
    const relative = { file: file.relative };
    all.apps.push(...parsed.apps.map((app) => ({ ...app, ...relative })));
    all.networks.push(...parsed.networks.map((doc) => ({ ...doc, ...relative })));
    all.secrets.push(...parsed.secrets.map((doc) => ({ ...doc, ...relative })));
    all.configs.push(...parsed.configs.map((doc) => ({ ...doc, ...relative })));
    all.invalid.push(...parsed.invalid);
    errors.push(...parsed.errors);
    if (parsed.errors.length > 0) failedFiles.add(file.relative);
  }
  const { unique, duplicates } = DUPLICATE_APP_NAMES.check(all.apps);
  const checked = checkReferences({ ...all, apps: unique, invalid: [...all.invalid, ...duplicates] });
  const invalid = [...all.invalid, ...duplicates, ...checked.invalid];
  for (const bad of [...duplicates, ...checked.invalid]) {
    errors.push(...bad.errors);
    failedFiles.add(relativeOf.get(bad.file) ?? bad.file);
  }
  errors.sort(compareErrors);
  const byName = <T extends { name: string }>(docs: T[]) => new Map(docs.map((doc) => [doc.name, doc]));
  return {
    apps: byName(checked.apps),
    networks: byName(checked.networks),
    secrets: byName(checked.secrets),
    configs: byName(checked.configs),
    invalid,
    errors,
    failedFiles,
    fileCount: manifests.length,
    missing: false,
    ...(contents.size > 0 ? { contentFiles: contents } : {}),
  };
}

/** The files (relative to the apps directory) that Secret and Config documents read. */
function contentFiles(parsedFiles: readonly { file: FoundFile; parsed: ParsedManifest }[]): Set<string> {
  const paths = new Set<string>();
  for (const { file, parsed } of parsedFiles) {
    for (const doc of [...parsed.secrets, ...parsed.configs]) {
      if (doc.from.kind === "file") paths.add(posix.join(posix.dirname(file.relative), doc.from.path));
    }
  }
  return paths;
}

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

function failedDirectory(dir: string, message: string): DesiredState {
  return { ...emptyState(false), errors: [fileError(dir, message)], failedFiles: new Set(["."]) };
}

function emptyState(missing: boolean): DesiredState {
  return { apps: new Map(), invalid: [], errors: [], failedFiles: new Set(), fileCount: 0, missing };
}
