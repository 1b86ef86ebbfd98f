import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type * as AgeEncryption from "age-encryption";
import { describeFsError } from "../manifest/readManifestFile.js";

export type Decrypted = { ok: true; bytes: Buffer } | { ok: false; message: string };

/** An identity file is a few lines; anything bigger is not one. */
const MAX_IDENTITY_FILE_BYTES = 64 * 1024;

const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";

type AgeModule = typeof AgeEncryption;

let ageModule: Promise<AgeModule> | undefined;

/** The age library, loaded on the first `.age` file only: an apply without one never pays for it. */
function loadAge(): Promise<AgeModule> {
  ageModule ??= import("age-encryption");
  return ageModule;
}

/**
 * Decrypts age files with the identities of one key file, read once for all of them. The key file
 * is read only when the first `.age` file asks for it, and its content never leaves this object:
 * every message names the option and the key file's path, never a key or a line of it.
 */
export class AgeDecrypter {
  private identities:
    Promise<{ ok: true; identities: string[] } | { ok: false; message: string }> | undefined;

  constructor(private readonly identityFile: string | undefined) {}

  async decrypt(ciphertext: Buffer): Promise<Decrypted> {
    if (this.identityFile === undefined) {
      return {
        ok: false,
        message:
          "is age-encrypted and no identity was given: pass --age-key-file FILE or set " +
          "ALACRITY_AGE_KEY_FILE to a file with the AGE-SECRET-KEY-1... line that decrypts it",
      };
    }
    this.identities ??= readIdentities(this.identityFile);
    const loaded = await this.identities;
    if (!loaded.ok) return loaded;
    const age = await loadAge();
    const decrypter = new age.Decrypter();
    for (const identity of loaded.identities) decrypter.addIdentity(identity);
    let file: Uint8Array = ciphertext;
    try {
      if (ciphertext.subarray(0, ARMOR_BEGIN.length).toString("latin1") === ARMOR_BEGIN) {
        file = age.armor.decode(ciphertext.toString("latin1"));
      }
      return { ok: true, bytes: Buffer.from(await decrypter.decrypt(file)) };
    } catch (error) {
      return { ok: false, message: decryptProblem(error, this.identityFile) };
    }
  }
}

/**
 * The library's own message is used only to tell a wrong key from a damaged file: it is not
 * passed on, so nothing of the file (or of a key) can ride along in it.
 */
function decryptProblem(error: unknown, identityFile: string): string {
  const text = error instanceof Error ? error.message : "";
  if (/no identity matched/i.test(text)) {
    return (
      `cannot be decrypted with the identities in ${identityFile}: it was encrypted to other ` +
      "recipients; give the key file of a recipient (--age-key-file / ALACRITY_AGE_KEY_FILE), " +
      "or re-encrypt the file to this key's public key (age -r age1...)"
    );
  }
  return (
    "is not a valid age file (damaged, truncated or not encrypted with age); " +
    "encrypt it again with age -r RECIPIENT, or remove the .age ending if it is plain text"
  );
}

/** The `AGE-SECRET-KEY-` lines of the key file, each checked; `#` comments and blank lines skipped. */
async function readIdentities(
  path: string,
): Promise<{ ok: true; identities: string[] } | { ok: false; message: string }> {
  const fail = (problem: string) => ({
    ok: false as const,
    message: `is age-encrypted, but the age key file ${path} (--age-key-file / ALACRITY_AGE_KEY_FILE) ${problem}`,
  });
  let text: string;
  try {
    text = readSmallFile(path);
  } catch (error) {
    return fail(error instanceof KeyFileError ? error.message : keyFileProblem(error));
  }
  const age = await loadAge();
  const identities: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      new age.Decrypter().addIdentity(line);
    } catch {
      // The line itself is never shown: it may be a key with a typo in it.
      return fail(
        `has a line ${index + 1} that is not an age identity; each line must be an AGE-SECRET-KEY-1... key or a # comment`,
      );
    }
    identities.push(line);
  }
  if (identities.length === 0)
    return fail("has no identity in it; add the AGE-SECRET-KEY-1... line age-keygen wrote");
  return { ok: true, identities };
}

class KeyFileError extends Error {}

function keyFileProblem(error: unknown): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    return "does not exist; give the path of the identity file age-keygen wrote";
  }
  return describeFsError(error);
}

/** The key file, read without hanging on a FIFO and never past the size an identity file has. */
function readSmallFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError("is not a regular file; give the path of the key file itself");
    const buffer = Buffer.alloc(MAX_IDENTITY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_IDENTITY_FILE_BYTES) throw new KeyFileError("is too large to be an age key file");
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
