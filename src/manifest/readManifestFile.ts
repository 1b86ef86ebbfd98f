import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { decodeManifest } from "./decodeManifest.js";
import { MAX_FILE_BYTES } from "./limits.js";
import type { ManifestError } from "./types.js";

/**
 * Reads one manifest file as text. Never reads more than the size limit, and never opens
 * anything but a regular file (a FIFO would block forever). `file` is the name used in errors.
 */
export async function readManifestFile(
  path: string,
  file = path,
): Promise<{ text: string } | { error: ManifestError }> {
  const fail = (message: string) => ({ error: { file, line: 1, col: 1, path: "", message } });
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return fail(describeFsError(error));
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return fail("not a regular file");
    if (stat.size > MAX_FILE_BYTES) {
      return fail(
        `the file is too large (${stat.size} bytes; the limit is ${MAX_FILE_BYTES}); split it into several files`,
      );
    }
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return decodeManifest(buffer.subarray(0, length), file);
  } catch (error) {
    return fail(describeFsError(error));
  } finally {
    await handle.close();
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
