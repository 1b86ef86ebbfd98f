import { backgroundClock, type Clock } from "../../domain/clock.js";
import { readPaths, stateOfWalk, walkAppsDirectory } from "../loadDirectory.js";
import type { DesiredState } from "../types.js";
import { parseCached, parseUncached } from "./cachedParse.js";
import { contentCache } from "./contentCache.js";
import { diskParseCacheFor } from "./diskParseCache.js";
import { parseCacheFor } from "./parseCache.js";

/**
 * Reads the apps directory into the desired state (see `walkAppsDirectory`), reusing what earlier
 * loads parsed. `deferCacheWriteMs`: for a long-running process, write the disk parse cache that
 * much later instead of before returning. `within`: where links may lead (a Git checkout).
 * `clock`: times the reads (epoch milliseconds) and the deferred write, whose timer must not keep
 * the process alive.
 */
export async function loadDesiredState(
  dir: string,
  options: { deferCacheWriteMs?: number; within?: { dir: string; name: string }; clock?: Clock } = {},
): Promise<DesiredState> {
  const clock = options.clock ?? backgroundClock;
  const found = await walkAppsDirectory(dir, options.within);
  if (!found.ok) return found.state;
  const caches = { memory: parseCacheFor(dir), content: contentCache, disk: diskParseCacheFor(dir), clock };
  const state = await stateOfWalk(found.walk, (file) => parseCached(file, caches));
  caches.memory.commit();
  caches.content.commit();
  caches.disk?.commit({ deferWriteMs: options.deferCacheWriteMs, clock });
  return state;
}

/**
 * Validates files and directories given on the command line (`alacrity validate PATH...`; see
 * `readPaths`). Always parses: validate is how users look at errors.
 */
export function validatePaths(paths: readonly string[]): Promise<DesiredState> {
  return readPaths(paths, parseUncached);
}
