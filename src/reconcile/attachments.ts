import type { AppFileRef, AppSpec, NetworkSpec } from "../manifest/types.js";
import type { FileMountFields, NetworkAttachmentFields } from "../swarm/types.js";
import { contentName, DEFAULT_NETWORK, networkName } from "../domain/names.js";
import type { ResolvedContent, ResolvedContents } from "./types.js";

/*
 * How an app's `spec.networks`, `spec.secrets` and `spec.configs` become Swarm names: the one
 * mapping both the service fields (desiredFields.ts) and the resources to create (networks.ts,
 * contents.ts) are built from, so a service never names a network or secret the plan does not make.
 */

/** The names of the networks an app joins: its list, or the default network when it lists none. */
export function networksOf(app: AppSpec): { name: string; aliases: string[] }[] {
  return app.networks !== undefined && app.networks.length > 0
    ? app.networks
    : [{ name: DEFAULT_NETWORK, aliases: [] }];
}

/**
 * A Network document's Swarm name: the existing network an external one names, `alacran--<name>`
 * otherwise. Apps list networks by `metadata.name`; this is the one place that maps it.
 */
export function swarmNetworkName(
  name: string,
  declared: ReadonlyMap<string, NetworkSpec> | undefined,
): string {
  return declared?.get(name)?.external ?? networkName(name);
}

export function networkAttachments(
  app: AppSpec,
  declared: ReadonlyMap<string, NetworkSpec> | undefined,
): NetworkAttachmentFields[] {
  return networksOf(app).map((n) => ({ network: swarmNetworkName(n.name, declared), aliases: n.aliases }));
}

/** The Swarm object a resolved Secret or Config is mounted from; undefined when it was not read. */
export function contentSource(name: string, resolved: ResolvedContent | undefined): string | undefined {
  if (resolved === undefined || !resolved.ok) return undefined;
  return "external" in resolved ? resolved.external : contentName(name, resolved.sha256);
}

/**
 * The file mounts of an app's secrets or configs. One whose content was not read is left out:
 * the planner rejects such an app before it builds its fields (src/rules/resources.ts).
 */
export function fileMounts(
  refs: readonly AppFileRef[] | undefined,
  resolved: ReadonlyMap<string, ResolvedContent> | undefined,
): FileMountFields[] {
  const out: FileMountFields[] = [];
  for (const ref of refs ?? []) {
    const source = contentSource(ref.name, resolved?.get(ref.name));
    if (source !== undefined)
      out.push({ source, target: ref.target, uid: ref.uid, gid: ref.gid, mode: ref.mode });
  }
  return out;
}

export type { ResolvedContents };
