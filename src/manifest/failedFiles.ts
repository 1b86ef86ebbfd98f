/**
 * Whether a file (relative, forward slashes, as in the `alacrity.file` label) lies in one of the
 * failed files of a load. A failed entry may be a directory the load could not or would not walk
 * (unreadable, or a link leading outside the apps directory; "." for the whole directory): the
 * files that were in it fail with it, so the apps they defined are kept rather than pruned.
 */
export function inFailedFile(failedFiles: ReadonlySet<string>, file: string): boolean {
  if (failedFiles.size === 0) return false;
  if (failedFiles.has(".")) return true;
  for (let end = file.length; end > 0; end = file.lastIndexOf("/", end - 1)) {
    if (failedFiles.has(file.slice(0, end))) return true;
  }
  return false;
}
