import { realpath } from "node:fs/promises";
import type { DesiredState } from "../manifest/types.js";

/** What this machine could tell about the host paths the manifests bind (PlanOptions fields). */
export interface HostPathLookup {
  /** Each path this machine could resolve, with its symlinks resolved. */
  resolvedHostPaths: Map<string, string>;
  /** The paths it could not resolve (missing here, or not readable): the plan warns about them. */
  unseenHostPaths: Set<string>;
}

/**
 * Resolves the symlinks of every host path the manifests bind, where this machine can see them
 * (on a single-node Swarm, or when the controller runs on the app's node). The planner refuses a
 * path that resolves out of the allowed roots or into a forbidden path. A path that cannot be
 * resolved here (the controller runs in a container, or the path is on another node) is reported
 * as unseen, never skipped silently: only its normalised form can be checked.
 */
export async function resolveHostPaths(desired: DesiredState): Promise<HostPathLookup> {
  const paths = new Set<string>();
  for (const app of desired.apps.values()) {
    for (const volume of app.volumes) if (volume.kind === "host") paths.add(volume.hostPath);
  }
  const lookup: HostPathLookup = { resolvedHostPaths: new Map(), unseenHostPaths: new Set() };
  await Promise.all(
    [...paths].map(async (path) => {
      try {
        lookup.resolvedHostPaths.set(path, await realpath(path));
      } catch {
        lookup.unseenHostPaths.add(path);
      }
    }),
  );
  return lookup;
}
