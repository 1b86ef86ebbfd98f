import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { isInside, openedInside, outsideMessage, type Boundary } from "../manifest/containment.js";
import { describeFsError } from "../manifest/readManifestFile.js";

/** Swarm refuses a secret or config over 500 KB (swarmkit's MaxSecretSize, 500 × 1024 bytes). */
export const MAX_CONTENT_BYTES = 500 * 1024;

export type FileRead = { ok: true; bytes: Buffer } | { ok: false; message: string };

// O_NONBLOCK: opening a FIFO waits for a writer, forever, without it. O_NOFOLLOW: the real path
// is opened, so a last component that is a link now was swapped in after the check.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads the file a Secret's or Config's `spec.file` names (`path`, relative to the apps
 * directory), at most `maxBytes` of it, and nothing outside `within`: its real path must be
 * inside, and so must what was actually opened (a link swapped between the two is caught as the
 * manifest loader catches it). A FIFO, socket, device or directory is refused without reading.
 * Messages name the file as the manifest does, never its content.
 */
export function readContentFile(appsDir: string, path: string, within: Boundary, maxBytes: number): FileRead {
  const fail = (message: string): FileRead => ({
    ok: false,
    message: `spec.file: ${path} (in the apps directory) ${message}`,
  });
  const full = join(appsDir, path);
  const fromRoot = relative(resolve(appsDir), resolve(full));
  if (fromRoot.startsWith("..") || isAbsolute(fromRoot)) {
    return {
      ok: false,
      message: `spec.file: ${path} leads outside ${within.name}; AlaCrity reads nothing outside it: move the file inside`,
    };
  }
  let real: string;
  try {
    real = realpathSync.native(full);
  } catch (error) {
    return fail(fsProblem(error));
  }
  if (!isInside(within, real)) return fail(outsideMessage(within));
  let fd: number;
  try {
    fd = openSync(real, READ_FLAGS);
  } catch (error) {
    return fail(fsProblem(error));
  }
  try {
    if (!openedInside(fd, real, within)) return fail(outsideMessage(within));
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return fail("is a directory; name a file in spec.file");
    if (!stat.isFile()) {
      return fail("is not a regular file (a FIFO, socket or device); name a regular file in spec.file");
    }
    if (stat.size > maxBytes) return fail(tooLarge(stat.size, maxBytes));
    const bytes = readUpTo(fd, maxBytes + 1);
    if (bytes.length > maxBytes) return fail(tooLarge(bytes.length, maxBytes));
    return { ok: true, bytes };
  } catch (error) {
    return fail(fsProblem(error));
  } finally {
    closeSync(fd);
  }
}

/** Reads until the end of the file or `limit` bytes, whichever comes first (a file may grow). */
function readUpTo(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    const bytesRead = readSync(fd, buffer, length, limit - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

function tooLarge(size: number, maxBytes: number): string {
  return (
    `is too large (${size} bytes or more): Swarm keeps secrets and configs of at most 500 KB ` +
    `(${maxBytes} bytes${maxBytes === MAX_CONTENT_BYTES ? "" : " for an encrypted file"}); ` +
    "make it smaller or mount the data as a volume instead"
  );
}

function fsProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT")
    return "does not exist; create it, or correct spec.file (a path relative to the manifest's file)";
  if (code === "ENOTDIR") return "does not exist (a part of the path is not a directory); correct spec.file";
  return describeFsError(error);
}
