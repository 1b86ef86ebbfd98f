import type { AppSpec, NetworkSpec, SourcePosition } from "../manifest/types.js";
import { DEFAULT_NETWORK } from "../domain/names.js";
import type { Rejection, StageRule } from "./rule.js";

/*
 * Issue 16: an app is planned only against networks, secrets and configs that exist or that the
 * plan creates. One that names a missing one is rejected (its service, if any, keeps running as it
 * is), so Swarm is never asked for a service it would refuse, and the user reads why.
 */

/** A Secret's or Config's content as the planner received it (ResolvedContent, less the bytes). */
export type ContentResolution =
  | { ok: true; sha256: string }
  | { ok: true; external: string }
  | { ok: false; message: string; at: SourcePosition };

/** What the resource rules see of the documents and of the Swarm. */
export interface ResourceView {
  networks: ReadonlyMap<string, NetworkSpec> | undefined;
  /** The names of the Swarm's networks, secrets and configs. */
  swarmNetworks: ReadonlySet<string>;
  swarmSecrets: ReadonlySet<string>;
  swarmConfigs: ReadonlySet<string>;
  /** Secret and Config documents by name (their content is in `contents`). */
  secrets: ReadonlyMap<string, unknown> | undefined;
  configs: ReadonlyMap<string, unknown> | undefined;
  contents:
    | { secrets: ReadonlyMap<string, ContentResolution>; configs: ReadonlyMap<string, ContentResolution> }
    | undefined;
}

const at = (app: AppSpec, field: string, list: string): SourcePosition =>
  app.positions[field] ?? app.positions[list] ?? app.source;

export const NETWORK_UNAVAILABLE = {
  id: "network-unavailable",
  title: "An app joins only networks that are declared, and external ones only when they exist",
  contract: "extension",
  input: "app+resources",
  check: (app: AppSpec, view: ResourceView): Rejection | undefined => {
    for (const [index, network] of (app.networks ?? []).entries()) {
      const field = `spec.networks[${index}]`;
      const reject = (message: string): Rejection => ({
        app: app.name,
        rule: "network-unavailable",
        message: `${field}: ${message}`,
        position: at(app, field, "spec.networks"),
      });
      if (network.name === DEFAULT_NETWORK) continue;
      const declared = view.networks?.get(network.name);
      if (declared === undefined)
        return reject(
          `no Network document is named "${network.name}"; add one (kind: Network, metadata.name: ${network.name}) ` +
            `or take the name out of spec.networks`,
        );
      const external = declared.external;
      if (external !== undefined && !view.swarmNetworks.has(external))
        return reject(
          `the external network "${external}"${external === network.name ? "" : ` (Network ${network.name})`} does not exist in the Swarm; ` +
            `create it (docker network create --driver overlay ${external}), correct the name (docker network ls), ` +
            `or drop "external" to let AlaCrity manage it`,
        );
    }
    return undefined;
  },
} as const satisfies StageRule;

export const CONTENT_UNAVAILABLE = {
  id: "content-unavailable",
  title: "An app mounts only secrets and configs whose content could be read, or external ones that exist",
  contract: "extension",
  input: "app+resources",
  check: (app: AppSpec, view: ResourceView): Rejection | undefined => {
    for (const kind of ["secrets", "configs"] as const) {
      const document = kind === "secrets" ? "Secret" : "Config";
      for (const [index, ref] of (app[kind] ?? []).entries()) {
        const field = `spec.${kind}[${index}]`;
        const reject = (message: string, position?: SourcePosition): Rejection => ({
          app: app.name,
          rule: "content-unavailable",
          message: `${field}: ${message}`,
          position: position ?? at(app, field, `spec.${kind}`),
        });
        if (!view[kind]?.has(ref.name))
          return reject(
            `no ${document} document is named "${ref.name}"; add one (kind: ${document}, metadata.name: ${ref.name}) ` +
              `or take it out of spec.${kind}`,
          );
        const resolved = view.contents?.[kind].get(ref.name);
        if (resolved === undefined)
          return reject(`the content of ${document} "${ref.name}" was not read; the app is left as it is`);
        // The position is the document's, where the unreadable source is written.
        if (!resolved.ok)
          return reject(`${document} "${ref.name}" cannot be used: ${resolved.message}`, resolved.at);
        const swarm = kind === "secrets" ? view.swarmSecrets : view.swarmConfigs;
        if ("external" in resolved && !swarm.has(resolved.external))
          return reject(
            `the external ${document.toLowerCase()} "${resolved.external}" does not exist in the Swarm; create it ` +
              `(docker ${document.toLowerCase()} create ${resolved.external} FILE) or give the ${document} a file, env or data source`,
          );
      }
    }
    return undefined;
  },
} as const satisfies StageRule;
