import type Docker from "dockerode";
import { DockerError, toDockerError } from "./errors.js";
import type { ServiceFields } from "./types.js";

/**
 * Swarm object IDs by name, for the parts of a service spec that take IDs. Swarm resolves a
 * network *name* given as `Target` itself (and stores the ID), but a secret or config reference
 * without its ID is "malformed": those must be looked up.
 */
export interface SwarmIds {
  network(name: string): string;
  secret(name: string): string;
  config(name: string): string;
}

/** Names as they are, for networks; a spec with secrets or configs needs `lookupIds`. */
export const NETWORK_NAMES_ONLY: SwarmIds = {
  network: (name) => name,
  secret: (name) => {
    throw new Error(`no ID lookup was given for secret ${name}`);
  },
  config: (name) => {
    throw new Error(`no ID lookup was given for config ${name}`);
  },
};

/**
 * The IDs the spec of `fields` needs, from a fresh list (a secret created in this pass's setup is
 * not in the observed state): one request per kind the fields use, none when they use neither.
 */
export async function lookupIds(docker: Docker, app: string, fields: ServiceFields): Promise<SwarmIds> {
  const wantsSecrets = (fields.secrets?.length ?? 0) > 0;
  const wantsConfigs = (fields.configs?.length ?? 0) > 0;
  if (!wantsSecrets && !wantsConfigs) return NETWORK_NAMES_ONLY;
  let secrets: Map<string, string>;
  let configs: Map<string, string>;
  try {
    const [rawSecrets, rawConfigs] = await Promise.all([
      wantsSecrets ? docker.listSecrets() : Promise.resolve([]),
      wantsConfigs ? docker.listConfigs() : Promise.resolve([]),
    ]);
    secrets = idsByName(rawSecrets);
    configs = idsByName(rawConfigs);
  } catch (err) {
    throw toDockerError(err, `cannot look up the secrets and configs of service ${app}`);
  }
  const find = (kind: "secret" | "config", ids: Map<string, string>, name: string): string => {
    const id = ids.get(name);
    if (id !== undefined) return id;
    throw new DockerError(
      `cannot deploy service ${app}: ${kind} ${name} does not exist on the Swarm; create it (a ${kind === "secret" ? "Secret" : "Config"} document) before the app that mounts it`,
      { statusCode: 404, retryable: false },
    );
  };
  return {
    network: (name) => name,
    secret: (name) => find("secret", secrets, name),
    config: (name) => find("config", configs, name),
  };
}

function idsByName(objects: readonly { ID: string; Spec?: { Name?: string } }[]): Map<string, string> {
  return new Map(objects.flatMap((object) => (object.Spec?.Name ? [[object.Spec.Name, object.ID]] : [])));
}
