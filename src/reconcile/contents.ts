import type { AppFileRef, AppSpec } from "../manifest/types.js";
import type { ObservedContent, ObservedState } from "../swarm/types.js";
import { contentName, LABEL } from "../domain/names.js";
import type { ResourcePlan } from "./networks.js";
import { ownsResource, resourceLabels } from "./resourceOwnership.js";
import type { ResourceUse } from "./resourceUse.js";
import type { PlanOptions, ResourceAction } from "./types.js";

const KINDS = [
  { of: "secret", refs: "secrets", observed: "secrets" },
  { of: "config", refs: "configs", observed: "configs" },
] as const;

/**
 * The secrets and configs to create and remove. Only what a planned app mounts is created (a
 * declared, unused Secret creates nothing), under its content's name, so a new value is a new
 * object and the services move to it by an update. One of ours that no planned app's fields and
 * no service after the apps' actions name is removed in cleanup: a service that keeps its old
 * secret (a rejected app, a held-back removal) keeps it in the Swarm too.
 */
export function planContents(
  observed: ObservedState,
  options: PlanOptions,
  planned: readonly AppSpec[],
  usersAfter: ResourceUse,
): ResourcePlan {
  const out: ResourcePlan = { setup: [], cleanup: [], warnings: [] };
  for (const kind of KINDS) {
    const swarm: readonly ObservedContent[] = observed[kind.observed] ?? [];
    const existing = new Set(swarm.map((c) => c.name));
    const wanted = new Set<string>();
    const refs: AppFileRef[] = planned.flatMap((app) => app[kind.refs] ?? []);
    for (const ref of [...refs].sort((a, b) => compare(a.name, b.name))) {
      const resolved = options.contents?.[kind.refs].get(ref.name);
      if (resolved === undefined || !resolved.ok) continue;
      if ("external" in resolved) {
        wanted.add(resolved.external);
        continue;
      }
      const name = contentName(ref.name, resolved.sha256);
      if (wanted.has(name)) continue;
      wanted.add(name);
      if (existing.has(name)) continue;
      out.setup.push({
        kind: "create-content",
        of: kind.of,
        resource: ref.name,
        name,
        // No hash of the content in a label: an unsalted digest of a short password can be guessed.
        labels: resourceLabels(ref.name, options.instance),
        value: resolved.value,
        reason: "needed by an app",
      });
    }
    for (const c of [...swarm].sort((a, b) => compare(a.name, b.name))) {
      if (wanted.has(c.name) || usersAfter[kind.observed].has(c.name)) continue;
      if (!ownsResource(c.labels, options.instance)) continue;
      const action: ResourceAction = {
        kind: "remove-content",
        of: kind.of,
        resource: c.labels[LABEL.resource] ?? c.name,
        id: c.id,
        name: c.name,
        reason: "no longer used",
      };
      out.cleanup.push(action);
    }
  }
  return out;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
