import { realpath } from "node:fs/promises";
import type { DesiredState } from "../manifest/types.js";

/**
 * Resolves the symlinks of every host path the manifests bind, where this machine can see them
 * (on a single-node Swarm, or when the controller runs on the app's node). The planner refuses a
 * path that resolves into a forbidden area. Paths that do not exist here are left out: the check
 * on their normalised form still applies.
 */
export async function resolveHostPaths(desired: DesiredState): Promise<Map<string, string>> {
  const paths = new Set<string>();
  for (const app of desired.apps.values()) {
    for (const volume of app.volumes) if (volume.kind === "host") paths.add(volume.hostPath);
  }
  const resolved = new Map<string, string>();
  await Promise.all(
    [...paths].map(async (path) => {
      try {
        resolved.set(path, await realpath(path));
      } catch {
        // Not on this machine (or not readable): only the normalised path is checked.
      }
    }),
  );
  return resolved;
}
