import { createHash } from "node:crypto";
import { boundaryOf, type Boundary } from "../manifest/containment.js";
import type { ConfigSpec, DesiredState, SecretSpec } from "../manifest/types.js";
import type { ResolvedContent, ResolvedContents } from "../reconcile/types.js";
import { AgeDecrypter } from "./ageDecrypt.js";
import { contentValue } from "./contentValue.js";
import { MAX_CONTENT_BYTES, readContentFile } from "./readContentFile.js";

export interface ResolveContentsOptions {
  /** The apps directory `spec.file` paths are relative to. */
  appsDir: string;
  /** The controller's environment, for `spec.env`. */
  env: NodeJS.ProcessEnv;
  /** `--age-key-file` / `ALACRITY_AGE_KEY_FILE`: the identities `.age` files are decrypted with. */
  ageIdentityFile?: string;
  /** What no file may be read outside of; default the apps directory (GitOps: the checkout). */
  within?: Boundary;
}

/**
 * An age file is its plaintext plus a header and 16 bytes per 64 KiB chunk, base64 (4/3) when
 * armored: twice the content's limit holds any file whose plaintext fits.
 */
const MAX_AGE_FILE_BYTES = 2 * MAX_CONTENT_BYTES;

/**
 * Reads the content of every Secret and Config document at the edge, before planning, so the
 * planner stays pure: each gets its bytes (hidden in a ContentValue) and their sha256, the name of
 * the external object it stands for, or why it could not be read, at its source's position. One
 * document that cannot be read affects only the apps that use it, so every document is tried.
 */
export async function resolveContents(
  desired: DesiredState,
  options: ResolveContentsOptions,
): Promise<ResolvedContents> {
  const decrypter = new AgeDecrypter(options.ageIdentityFile);
  let within: Boundary | undefined = options.within;
  const boundary = (): Boundary => (within ??= boundaryOf(options.appsDir));
  const resolve = async (spec: SecretSpec | ConfigSpec): Promise<ResolvedContent> => {
    const at = spec.positions[`spec.${sourceField(spec)}`] ?? spec.source;
    const read = await readSource(spec, options, boundary, decrypter);
    if ("external" in read) return { ok: true, external: read.external };
    if (!read.ok) return { ok: false, message: read.message, at };
    if (read.bytes.length > MAX_CONTENT_BYTES) {
      return {
        ok: false,
        message: `spec.${sourceField(spec)}: the content is ${read.bytes.length} bytes; Swarm keeps secrets and configs of at most 500 KB (${MAX_CONTENT_BYTES} bytes): make it smaller`,
        at,
      };
    }
    const sha256 = createHash("sha256").update(read.bytes).digest("hex");
    return { ok: true, sha256, value: contentValue(read.bytes) };
  };
  const all = async (specs: Map<string, SecretSpec | ConfigSpec> | undefined) => {
    const resolved = new Map<string, ResolvedContent>();
    for (const [name, spec] of specs ?? []) resolved.set(name, await resolve(spec));
    return resolved;
  };
  return { secrets: await all(desired.secrets), configs: await all(desired.configs) };
}

type SourceRead = { ok: true; bytes: Buffer } | { ok: false; message: string } | { external: string };

async function readSource(
  spec: SecretSpec | ConfigSpec,
  options: ResolveContentsOptions,
  boundary: () => Boundary,
  decrypter: AgeDecrypter,
): Promise<SourceRead> {
  const from = spec.from;
  switch (from.kind) {
    case "external":
      return { external: from.name };
    case "data":
      return { ok: true, bytes: Buffer.from(from.data, "utf8") };
    case "env": {
      const value = options.env[from.variable];
      if (value === undefined) {
        return {
          ok: false,
          message: `spec.env: the controller's environment has no ${from.variable}; set it where alacrity runs or change spec.env`,
        };
      }
      return { ok: true, bytes: Buffer.from(value, "utf8") };
    }
    case "file":
      return readFileSource(from.path, options, boundary, decrypter);
  }
}

async function readFileSource(
  path: string,
  options: ResolveContentsOptions,
  boundary: () => Boundary,
  decrypter: AgeDecrypter,
): Promise<SourceRead> {
  let within: Boundary;
  try {
    within = boundary();
  } catch {
    return { ok: false, message: `spec.file: ${path}: the apps directory ${options.appsDir} cannot be read` };
  }
  const encrypted = path.endsWith(".age");
  const read = readContentFile(
    options.appsDir,
    path,
    within,
    encrypted ? MAX_AGE_FILE_BYTES : MAX_CONTENT_BYTES,
  );
  if (!read.ok || !encrypted) return read;
  const decrypted = await decrypter.decrypt(read.bytes);
  return decrypted.ok
    ? decrypted
    : { ok: false, message: `spec.file: ${path} (in the apps directory) ${decrypted.message}` };
}

function sourceField(spec: SecretSpec | ConfigSpec): string {
  return spec.from.kind;
}
