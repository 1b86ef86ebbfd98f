import { MAX_FILE_BYTES } from "./limits.js";
import type { ManifestError } from "./types.js";

/**
 * Turns the bytes of a manifest file into text, or into one error for input that is not a
 * manifest at all: too large, binary (NUL bytes) or not UTF-8. Pure.
 */
export function decodeManifest(bytes: Uint8Array, file: string): { text: string } | { error: ManifestError } {
  const fail = (offset: number, message: string) => ({
    error: { ...bytePosition(bytes, offset, file), path: "", message },
  });
  if (bytes.length > MAX_FILE_BYTES) {
    return fail(0, `the file is too large (more than ${MAX_FILE_BYTES} bytes); split it into several files`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return fail(nul, "not a text file (it contains NUL bytes)");
  const invalid = firstInvalidUtf8(bytes);
  if (invalid >= 0) {
    return fail(invalid, `invalid UTF-8 at byte ${invalid}; save the file as UTF-8`);
  }
  return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
}

/** Line and column (in characters) of a byte offset; the bytes before it are valid UTF-8. */
function bytePosition(bytes: Uint8Array, offset: number, file: string) {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { file, line, col: [...before].length + 1 };
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
