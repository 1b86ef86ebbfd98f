import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { openedInside, outsideMessage, type Boundary } from "./containment.js";
import { decodeManifest } from "./decodeManifest.js";
import { MAX_FILE_BYTES } from "./limits.js";
import type { ManifestError } from "./types.js";

type ReadResult = { text: string } | { error: ManifestError };

/**
 * Reads one manifest file as text. Never reads more than the size limit, and never opens
 * anything but a regular file (a FIFO would block forever). `file` is the name used in errors.
 * With `within`, reads nothing that lies outside it, whatever links led there.
 */
export function readManifestFile(path: string, file = path, within?: Boundary): Promise<ReadResult> {
  return Promise.resolve(readManifestFileSync(path, file, within));
}

/**
 * The work of `readManifestFile`, done with synchronous calls: a manifest is a small local file,
 * and four thread-pool round trips per file (open, stat, read, close) made loading 1000 apps
 * take half a second on a busy 2-core machine, against 20 ms this way.
 */
function readManifestFileSync(path: string, file: string, within: Boundary | undefined): ReadResult {
  const fail = (message: string) => ({ error: { file, line: 1, col: 1, path: "", message } });
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return fail(describeFsError(error));
  }
  try {
    if (within && !openedInside(fd, path, within)) return fail(outsideMessage(within));
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail("not a regular file");
    if (stat.size > MAX_FILE_BYTES) {
      return fail(
        `the file is too large (${stat.size} bytes; the limit is ${MAX_FILE_BYTES}); split it into several files`,
      );
    }
    // Sized from stat rather than the limit: zero-filling a megabyte per file made loading 1000
    // apps take seconds. A file that grows while being read gets a bigger buffer, up to the limit.
    let buffer = Buffer.allocUnsafe(Math.min(stat.size + 1, MAX_FILE_BYTES + 1));
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length < buffer.length) continue;
      if (buffer.length > MAX_FILE_BYTES) break;
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_FILE_BYTES + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    return decodeManifest(buffer.subarray(0, length), file);
  } catch (error) {
    return fail(describeFsError(error));
  } finally {
    closeSync(fd);
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "file or directory does not exist";
    case "EACCES":
    case "EPERM":
      return "cannot read it: permission denied; make it readable for the user running alacrity";
    case "EISDIR":
      return "is a directory, not a file";
    case "ELOOP":
      return "cannot read it: too many levels of symbolic links";
    default:
      return `cannot read it: ${error instanceof Error ? error.message : String(error)}`;
  }
}
