import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FORMAT } from "./cacheFile.js";

/**
 * A hash of everything that decides a parse result: the source of the manifest layer's modules
 * (`moduleDir` and its subdirectories, this loader included, since it re-labels results;
 * `.js` when built, `.ts` under tsx) and the versions of the YAML and schema libraries.
 * Undefined when it cannot be known: then nothing is cached.
 */
export function fingerprintOf(
  moduleDir: string,
  extension: string,
  versions: readonly string[],
): string | undefined {
  try {
    const hash = createHash("sha256").update(`format ${FORMAT}\u0000`);
    const names = (readdirSync(moduleDir, { recursive: true }) as string[])
      .filter((name) => name.endsWith(extension) && !name.endsWith(`.d${extension}`))
      .sort();
    if (names.length === 0) return undefined;
    for (const name of names) {
      hash
        .update(name)
        .update("\u0000")
        .update(readFileSync(join(moduleDir, name)))
        .update("\u0000");
    }
    for (const version of versions) hash.update(version).update("\u0000");
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

/**
 * The version of an installed package, found without importing it (importing is what the cache
 * saves): the `node_modules/NAME/package.json` nearest to `fromDir`, where Node's resolution of
 * a bare `import` from that directory finds the package. (`createRequire().resolve` finds the
 * same, at 3-5 ms a package.) Undefined when not there, e.g. found through NODE_PATH.
 */
export function packageVersion(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (basename(dir) !== "node_modules") {
      const version = versionIn(join(dir, "node_modules", name, "package.json"), name);
      if (version !== undefined) return version;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function versionIn(packageJson: string, name: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(packageJson, "utf8");
  } catch {
    return undefined;
  }
  try {
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    return pkg.name === name && typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fingerprint of the manifest layer's sources, computed by scripts/bundle-cli.mjs with
 * `fingerprintOf` and written into the bundled binary, which has no separate sources to read.
 */
declare const ALACRITY_PARSE_FINGERPRINT: string | undefined;

let codeFingerprintMemo: { value: string | undefined } | undefined;

/**
 * This process's fingerprint: the bundled binary's own, else computed on first use from the
 * manifest layer's modules, the parent of this one's directory (a few ms: some small files read).
 */
export function codeFingerprint(): string | undefined {
  if (typeof ALACRITY_PARSE_FINGERPRINT === "string") return ALACRITY_PARSE_FINGERPRINT;
  if (!codeFingerprintMemo) {
    const modulePath = fileURLToPath(import.meta.url);
    const manifestDir = dirname(dirname(modulePath));
    const versions = ["yaml", "zod"].map((name) => `${name}@${packageVersion(name, manifestDir) ?? "?"}`);
    const value = versions.some((v) => v.endsWith("@?"))
      ? undefined
      : fingerprintOf(manifestDir, extname(modulePath), versions);
    codeFingerprintMemo = { value };
  }
  return codeFingerprintMemo.value;
}
