import { randomBytes } from "node:crypto";
import { mkdir, readdir, readlink, rename, rm, stat, symlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { committedLinks, removeEscapingLinks } from "./checkoutLinks.js";
import { runGit, type GitRunOptions } from "./gitCommand.js";

/**
 * The working directory the source owns:
 *
 *     <workdir>/repo.git              bare repository the remote is fetched into
 *     <workdir>/checkouts/<sha>/      one immutable tree per commit, never changed once complete
 *     <workdir>/current -> checkouts/<sha>   swapped atomically (symlink + rename)
 *
 * A reader that resolves `current` always sees one complete commit: a checkout is written under a
 * temporary name and renamed into place before `current` points to it.
 */
export interface WorkdirLayout {
  root: string;
  repo: string;
  checkouts: string;
  current: string;
}

export function workdirLayout(root: string): WorkdirLayout {
  return {
    root,
    repo: join(root, "repo.git"),
    checkouts: join(root, "checkouts"),
    current: join(root, "current"),
  };
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The commit `current` points to, or undefined when there is none (or it is dangling). */
export async function currentRevision(layout: WorkdirLayout): Promise<string | undefined> {
  let target: string;
  try {
    target = await readlink(layout.current);
  } catch {
    return undefined;
  }
  const sha = basename(target);
  if (!SHA.test(sha)) return undefined;
  try {
    if (!(await stat(join(layout.checkouts, sha))).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  return sha;
}

/**
 * Writes the tree of `sha` into `checkouts/<sha>` (if not there yet) with a throw-away index, so
 * the bare repository is never given a work tree or an index of its own. Committed links that
 * lead outside the checkout are left out (see `removeEscapingLinks`) before it gets its name, so
 * no reader ever sees them. Returns the paths of those links, or undefined when the checkout
 * was there already.
 */
export async function materialize(
  layout: WorkdirLayout,
  sha: string,
  git: GitRunOptions,
): Promise<string[] | undefined> {
  if (!SHA.test(sha)) throw new Error(`Expected a full commit id, got \`${sha}\``);
  const target = join(layout.checkouts, sha);
  if (await isDirectory(target)) return undefined;
  await mkdir(layout.checkouts, { recursive: true });
  const tmp = join(layout.checkouts, `.tmp-${sha.slice(0, 12)}-${randomBytes(4).toString("hex")}`);
  await mkdir(tmp);
  const env = { ...git.env, GIT_INDEX_FILE: `${tmp}.index` };
  try {
    const base = ["--git-dir", layout.repo, "--work-tree", tmp];
    await runGit([...base, "read-tree", sha], { ...git, env });
    await runGit([...base, "checkout-index", "--all", "--force"], { ...git, env });
    const removed = await removeEscapingLinks(tmp, await committedLinks(layout.repo, sha, git));
    await rename(tmp, target);
    return removed;
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(`${tmp}.index`, { force: true });
  }
}

/** Points `current` at `checkouts/<sha>` in one rename: readers see the old tree or the new one. */
export async function swapCurrent(layout: WorkdirLayout, sha: string): Promise<void> {
  const tmp = `${layout.current}.tmp-${randomBytes(4).toString("hex")}`;
  await symlink(join("checkouts", sha), tmp);
  try {
    await rename(tmp, layout.current);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Removes checkouts other than the ones to keep (the current one and the one before it: a reader
 * that resolved `current` just before the swap may still be reading it) and leftover temp trees.
 */
export async function pruneCheckouts(layout: WorkdirLayout, keep: ReadonlySet<string>): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(layout.checkouts);
  } catch {
    return;
  }
  await Promise.all(
    entries
      .filter((name) => !keep.has(name))
      .map((name) => rm(join(layout.checkouts, name), { recursive: true, force: true })),
  );
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
