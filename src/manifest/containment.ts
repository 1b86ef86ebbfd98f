import { fstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { sep } from "node:path";

/**
 * The directory nothing may be read outside of while loading: the apps directory, or for GitOps
 * the commit's checkout (links between directories of one repository are the authors' own).
 */
export interface Boundary {
  /** Its real path: no symbolic link in it, so a prefix test is exact. */
  real: string;
  /** How errors name it: "the apps directory". */
  name: string;
}

/** The boundary of a directory as given (it may be a symlink itself: git-sync's `current`). */
export function boundaryOf(dir: string, name = "the apps directory"): Boundary {
  return { real: realpathSync.native(dir), name };
}

/** True when the real path `real` is the boundary or under it. */
export function isInside(boundary: Boundary, real: string): boolean {
  const root = boundary.real;
  return real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/** The error of an entry that leads outside: it names neither the target nor its content. */
export function outsideMessage(boundary: Boundary): string {
  return (
    `is a symbolic link to a place outside ${boundary.name} (${boundary.real}); ` +
    "AlaCrity reads nothing outside it: replace the link by the file itself"
  );
}

/**
 * Whether the open file `fd`, opened by `path`, lies inside the boundary. The walk checked the
 * path already, but a link (or a directory on the way) swapped between that check and the open
 * would escape it; so the check is made again on what was actually opened. On Linux the kernel
 * names it (`/proc/self/fd/N`, one readlink, no race at all); elsewhere the path's real path is
 * resolved again and must be the very file opened (same device and inode).
 */
export function openedInside(fd: number, path: string, boundary: Boundary): boolean {
  let opened: string;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return reopenedInside(fd, path, boundary);
  }
  return isInside(boundary, opened.replace(/ \(deleted\)$/, ""));
}

function reopenedInside(fd: number, path: string, boundary: Boundary): boolean {
  try {
    const real = realpathSync.native(path);
    const opened = fstatSync(fd);
    const named = statSync(real);
    return isInside(boundary, real) && opened.dev === named.dev && opened.ino === named.ino;
  } catch {
    return false;
  }
}
