import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import type { Stats } from "node:fs";
import { join } from "node:path";

/** The name of the key file in the cache directory. */
export const KEY_FILE = "parse-key";
export const KEY_BYTES = 32;

/**
 * Opening a file that someone else may have planted: never through a symbolic link (which could
 * lead anywhere, and whose target's owner is what `fstat` would check), and never waiting (a FIFO
 * would block the open until someone writes to it).
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

const ownUid = (): number | undefined => process.getuid?.();

export type OwnFile =
  { ok: true; content: Buffer; stat: Stats } | { ok: false; missing: boolean; problem: string };

/** The content of `path` if it is a regular file of this user, opened without following a link. */
export function readOwnFile(path: string): OwnFile {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, missing: true, problem: "does not exist" };
    return { ok: false, missing: false, problem: code === "ELOOP" ? "is a symbolic link" : String(code) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, missing: false, problem: "is not a regular file" };
    const problem = ownerProblem(stat);
    if (problem) return { ok: false, missing: false, problem };
    return { ok: true, content: readFileSync(fd), stat };
  } catch (error) {
    return { ok: false, missing: false, problem: String((error as NodeJS.ErrnoException).code) };
  } finally {
    closeSync(fd);
  }
}

function ownerProblem(stat: Stats): string | undefined {
  const uid = ownUid();
  return uid === undefined || stat.uid === uid
    ? undefined
    : `is owned by uid ${stat.uid}, not by this user (uid ${uid})`;
}

/**
 * The key of a cache directory: `{ key }`, or `{ problem }` saying why the directory cannot be
 * trusted (for a warning), or `{}` when it cannot be made (a read-only home: no cache, quietly).
 * A directory others can write to would let them replace cache files, so it must be this user's,
 * not a symbolic link, and not writable by group or others. It is created (private) if missing.
 */
export function cacheKeyOf(dir: string): { key?: Buffer; problem?: string } {
  let stat: Stats;
  try {
    stat = lstatOrCreate(dir);
  } catch {
    return {};
  }
  if (stat.isSymbolicLink()) return { problem: `${dir} is a symbolic link; give its real path` };
  if (!stat.isDirectory()) return { problem: `${dir} is not a directory` };
  const owner = ownerProblem(stat);
  if (owner) return { problem: `${dir} ${owner}` };
  if ((stat.mode & 0o022) !== 0) {
    const mode = (stat.mode & 0o777).toString(8);
    return { problem: `${dir} is writable by group or others (mode ${mode}); run \`chmod go-w ${dir}\`` };
  }
  const file = join(dir, KEY_FILE);
  let read = readOwnFile(file);
  if (!read.ok && read.missing) {
    try {
      createKeyFile(file);
    } catch {
      return {};
    }
    read = readOwnFile(file);
  }
  const bad = (problem: string) => ({ problem: `${file} ${problem}; remove it and a new key is made` });
  if (!read.ok) return bad(read.problem);
  const mode = read.stat.mode & 0o777;
  // A key others can read is no key.
  if ((mode & 0o077) !== 0) return bad(`is readable by group or others (mode ${mode.toString(8)})`);
  if (read.content.length !== KEY_BYTES) return bad(`does not hold a key of ${KEY_BYTES} bytes`);
  return { key: read.content };
}

function lstatOrCreate(dir: string): Stats {
  try {
    return lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return lstatSync(dir);
}

/**
 * Writes a new random key in full under a temporary name, then links it into place: the link
 * fails if the file exists, so two processes starting at once agree on one key, and no reader
 * ever sees a half-written one.
 */
function createKeyFile(file: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, CREATE_FLAGS, 0o600);
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
}
