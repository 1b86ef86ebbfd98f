import { MAX_FILE_BYTES } from "./limits.js";
import { findExcessiveStructure } from "./nesting.js";
import { textPosition } from "./textPosition.js";
import type { SourcePosition } from "./types.js";

/**
 * The one problem of a YAML text that must not be parsed at all: too large, binary (NUL bytes),
 * or built to make the parser hang or overflow its stack. `what` names what the file should have
 * been ("an App manifest"), for the message about nesting.
 */
export function hostileText(
  text: string,
  file: string,
  what?: string,
): (SourcePosition & { message: string }) | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FILE_BYTES) {
    return {
      file,
      line: 1,
      col: 1,
      message: `the file is too large (${bytes} bytes; the limit is ${MAX_FILE_BYTES}); split it into several files`,
    };
  }
  const nul = text.indexOf("\0");
  if (nul >= 0)
    return { ...textPosition(text, nul, file), message: "not a text file (it contains NUL bytes)" };
  const excess = findExcessiveStructure(text, what);
  if (excess) return { ...textPosition(text, excess.offset, file), message: excess.message };
  return undefined;
}
