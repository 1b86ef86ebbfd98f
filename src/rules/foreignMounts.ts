import type { AppSpec } from "../manifest/types.js";
import type { ObservedService } from "../swarm/types.js";
import type { Rejection, StageRule } from "./rule.js";
import { STACK_NAMESPACE_LABEL } from "../domain/names.js";
import {
  mountKey,
  normalizeHostPath,
  parentKeys,
  storageName,
  volumeKey,
  volumePosition,
} from "./storage.js";

/** The same volume, the same host directory, or one host directory inside the other. */
const related = (a: string, b: string): boolean =>
  a === b || parentKeys(a).includes(b) || parentKeys(b).includes(a);

/**
 * A persistent app never mounts storage that a service AlaCrity does not manage mounts too (one of
 * another stack, or made by hand): that would be two containers on one data directory (CONTRACT
 * §2.10), the very thing a database does not survive. It is what an imported stack meets when
 * applied while the stack still runs: the app is refused until that service is gone or adopted.
 * `foreign` are the services this instance does not manage.
 */
export function foreignMountConflicts(apps: AppSpec[], foreign: ObservedService[]): Map<string, Rejection> {
  // By name, so the service a message names does not depend on the order Swarm listed them in.
  const mounting = foreign
    .filter((s) => s.fields.mounts.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rejections = new Map<string, Rejection>();
  if (mounting.length === 0) return rejections;
  const claims = mounting.map((s) => ({ service: s, keys: s.fields.mounts.map(mountKey) }));
  for (const app of apps) {
    for (const [index, v] of app.volumes.entries()) {
      const key = volumeKey(v);
      const holder = claims.find((c) => c.keys.some((k) => related(k, key)))?.service;
      if (holder === undefined) continue;
      const stack = holder.fields.labels[STACK_NAMESPACE_LABEL];
      const stop = `remove that service first (\`docker service rm ${holder.name}\`: its volumes stay${
        stack
          ? `; \`docker stack rm ${stack}\` would also remove the stack's networks, which an import with --stack joins`
          : ""
      })`;
      const what =
        v.kind === "host" ? `host path ${normalizeHostPath(v.hostPath)}` : `volume ${storageName(v)}`;
      rejections.set(app.name, {
        app: app.name,
        rule: "storage-in-use",
        message: `${what} is mounted by service ${holder.name}${stack ? ` of stack ${stack}` : ""}, which AlaCrity does not manage: two containers must never use one data directory. To move the app to AlaCrity, ${stop}, then apply`,
        position: volumePosition(app, index, v),
      });
      break;
    }
  }
  return rejections;
}

/** CONTRACT §2.10 for storage AlaCrity does not own: no second container on a foreign service's data. */
export const STORAGE_IN_USE = {
  id: "storage-in-use",
  title: "A persistent app never mounts storage a service AlaCrity does not manage mounts",
  contract: "§2.10",
  input: "apps+services",
  check: foreignMountConflicts,
} as const satisfies StageRule;
