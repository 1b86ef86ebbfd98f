import { chmod, mkdir, stat } from "node:fs/promises";
import type { WorkdirLayout } from "./checkouts.js";

/**
 * Makes sure nobody but the controller's user can write the working directory: a `repo.git` or
 * a config planted there by another user would run programs as this one (hooks are off, but a
 * repository's config has other ways). A missing directory is created for this user alone
 * (0700). Throws a message that names the path, what is wrong and the command that fixes it.
 */
export async function prepareWorkdir(layout: WorkdirLayout): Promise<void> {
  await mkdir(layout.root, { recursive: true, mode: 0o700 });
  for (const path of [layout.root, layout.repo, layout.checkouts]) await checkOwnDirectory(path);
}

/** After `git init`: the new repository is this user's alone whatever the umask (0002 is common). */
export async function restrictRepository(layout: WorkdirLayout): Promise<void> {
  await chmod(layout.repo, 0o700);
}

/** A directory that exists must belong to this user and be writable by nobody else. */
async function checkOwnDirectory(path: string): Promise<void> {
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new Error(
      `${path} belongs to uid ${stats.uid}, not to the user running alacrity (uid ${uid}); ` +
        `another user's repository could run programs as this one: run \`chown -R ${uid} ${path}\` ` +
        "or choose another --git-workdir",
    );
  }
  const mode = stats.mode & 0o777;
  if ((mode & 0o022) !== 0) {
    throw new Error(
      `${path} is writable by ${writers(mode)} (mode ${mode.toString(8).padStart(4, "0")}); ` +
        `another user could plant a repository that runs programs as this one: run \`chmod go-w ${path}\``,
    );
  }
}

function writers(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  return group && others ? "its group and others" : group ? "its group" : "others";
}
