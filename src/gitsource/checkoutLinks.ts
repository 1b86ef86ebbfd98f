import { lstat, realpath, unlink } from "node:fs/promises";
import { join } from "node:path";
import { isInside } from "../manifest/containment.js";
import { compareErrors } from "../manifest/duplicates.js";
import { isManifestFile } from "../manifest/manifestFile.js";
import type { DesiredState, ManifestError } from "../manifest/types.js";
import { runGit, type GitRunOptions } from "./gitCommand.js";

// A commit may hold symbolic links (git mode 120000) to anywhere: `leak.yaml -> /etc/passwd`,
// `rootfs -> /`, or a `--git-path` that is a link to /etc. A checkout keeps only the links that
// stay inside it, so nothing that loads from a checkout can be led out of it.

/** The symbolic links a commit holds, by their path in the repository. */
export async function committedLinks(repo: string, sha: string, git: GitRunOptions): Promise<string[]> {
  const out = await runGit(["--git-dir", repo, "ls-tree", "-r", "-z", "--full-tree", sha], git);
  return out
    .split("\0")
    .filter((entry) => entry.startsWith("120000 "))
    .map((entry) => entry.slice(entry.indexOf("\t") + 1));
}

/**
 * Removes from a fresh checkout the links whose real path is not inside it, or that lead
 * nowhere (they can only leak, now or once their target appears), and returns their paths.
 * Real resolution, not the link text: `b -> ..` inside a subdirectory is fine, yet a link to
 * `b/..` through it leaves. Removing a link can leave another dangling, hence the rounds.
 */
export async function removeEscapingLinks(dir: string, links: readonly string[]): Promise<string[]> {
  const boundary = { real: await realpath(dir), name: "the Git checkout" };
  const removed: string[] = [];
  let left = [...links];
  for (;;) {
    const escaping: string[] = [];
    for (const link of left) {
      const real = await realpath(join(dir, link)).catch(() => undefined);
      if (real === undefined || !isInside(boundary, real)) escaping.push(link);
    }
    if (escaping.length === 0) return removed.sort();
    for (const link of escaping) await unlink(join(dir, link));
    removed.push(...escaping);
    left = left.filter((link) => !escaping.includes(link));
  }
}

/** The committed links missing from a checkout: those `removeEscapingLinks` removed. */
export async function missingLinks(dir: string, links: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const link of links) {
    try {
      await lstat(join(dir, link));
    } catch {
      missing.push(link);
    }
  }
  return missing.sort();
}

/**
 * The load of an apps directory with its removed links as failed files: an app one of them
 * defined before is kept, not pruned, and the error says what to do. `dir` is the apps directory,
 * `links` the removed links relative to it.
 */
export function withRemovedLinks(desired: DesiredState, dir: string, links: readonly string[]): DesiredState {
  // The load never sees dot names either. What a removed link was can no longer be seen: one named
  // like a manifest, or with no extension (a directory, likely), may have held apps to keep; a
  // `README.md` link to nowhere must not mark the commit failed.
  const shown = links.filter(
    (link) => !link.split("/").some((part) => part.startsWith(".")) && mayHoldManifests(link),
  );
  if (shown.length === 0) return desired;
  const errors: ManifestError[] = shown.map((link) => ({
    file: dir.endsWith("/") ? `${dir}${link}` : `${dir}/${link}`,
    line: 1,
    col: 1,
    path: "",
    message:
      "is a symbolic link to a place outside the Git repository, or to nothing; " +
      "AlaCrity left it out of the checkout: commit the file itself instead of the link",
  }));
  return {
    ...desired,
    errors: [...desired.errors, ...errors].sort(compareErrors),
    failedFiles: new Set([...desired.failedFiles, ...shown]),
  };
}

function mayHoldManifests(link: string): boolean {
  const name = link.slice(link.lastIndexOf("/") + 1);
  return isManifestFile(name) || !name.includes(".");
}
