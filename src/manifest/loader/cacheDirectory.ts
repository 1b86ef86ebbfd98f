import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { cacheKeyOf } from "./cacheKey.js";

/**
 * Where cache files go: `ALACRITY_CACHE_DIR` (`off` disables the cache), else
 * `$XDG_CACHE_HOME/alacrity`, else `~/.cache/alacrity`. Undefined means no cache.
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env["ALACRITY_CACHE_DIR"];
  if (configured === "off") return undefined;
  if (configured) return configured;
  // The XDG spec says a relative value is invalid and must be ignored.
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg && isAbsolute(xdg)) return join(xdg, "alacrity");
  try {
    return join(homedir(), ".cache", "alacrity");
  } catch {
    return undefined;
  }
}

/** The cache file of one apps directory, named by its real path. */
export function cacheFileFor(cacheDir: string, realAppsDir: string): string {
  const id = createHash("sha256").update(realAppsDir).digest("hex").slice(0, 16);
  return join(cacheDir, `parse-${id}.json`);
}

/** The key of each cache directory this process looked at; undefined: that cache is off. */
const keys = new Map<string, Buffer | undefined>();

/**
 * The key of a cache directory, checked once a process. A directory that cannot be trusted turns
 * the cache off with one warning (on stderr, as Node prints warnings): loading works the same,
 * only slower, so it must neither fail a command nor repeat on every reload of a daemon.
 */
export function keyOfCacheDirectory(cacheDir: string): Buffer | undefined {
  if (keys.has(cacheDir)) return keys.get(cacheDir);
  const { key, problem } = cacheKeyOf(cacheDir);
  if (problem)
    process.emitWarning(
      `the parse cache is off: ${problem}, or set ALACRITY_CACHE_DIR to a private directory (or to off)`,
      { code: "ALACRITY_CACHE_UNSAFE" },
    );
  keys.set(cacheDir, key);
  return key;
}
