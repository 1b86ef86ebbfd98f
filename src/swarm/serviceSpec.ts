import type Docker from "dockerode";
import { LABEL } from "../domain/names.js";
import { configsSpec, networksSpec, secretsSpec } from "./attachmentSpec.js";
import { NETWORK_NAMES_ONLY, type SwarmIds } from "./swarmIds.js";
import type { ObservedMount, ResourceAmountFields, ServiceFields } from "./types.js";

/**
 * The Docker Engine API service spec for `fields`: the exact inverse of `fieldsFromSpec`.
 * Everything else is left to Swarm's defaults, which `fieldsFromSpec` reads past.
 * `ids` gives the secret and config IDs Swarm needs beside their names (`lookupIds`); the default
 * suits fields without secrets or configs.
 */
export function specFromFields(
  name: string,
  fields: ServiceFields,
  ids: SwarmIds = NETWORK_NAMES_ONLY,
): Docker.ServiceSpec {
  const app = fields.labels[LABEL.app] ?? name;
  const containerSpec: Docker.ContainerSpec = {
    Image: fields.image,
    Env: Object.keys(fields.env)
      .sort()
      .map((key) => `${key}=${fields.env[key] ?? ""}`),
    Mounts: fields.mounts.map((mount) => mountSpec(mount, app)),
  };
  if (fields.command && fields.command.length > 0) containerSpec.Command = [...fields.command];
  if (fields.args && fields.args.length > 0) containerSpec.Args = [...fields.args];
  const secrets = secretsSpec(fields.secrets, ids);
  if (secrets) containerSpec.Secrets = secrets;
  const configs = configsSpec(fields.configs, ids);
  if (configs) containerSpec.Configs = configs;

  const placement: Docker.Placement = { Constraints: [...fields.constraints] };
  if (fields.maxReplicasPerNode > 0) placement.MaxReplicas = fields.maxReplicasPerNode;

  const taskTemplate: Docker.ContainerTaskSpec = { ContainerSpec: containerSpec, Placement: placement };
  const networks = networksSpec(fields.networks, ids);
  if (networks) taskTemplate.Networks = networks;
  if (fields.resources) {
    taskTemplate.Resources = {
      Limits: resourceAmountsSpec(fields.resources.limits),
      Reservations: resourceAmountsSpec(fields.resources.reservations),
    };
  }
  const spec: Docker.ServiceSpec = {
    Name: name,
    Labels: { ...fields.labels },
    TaskTemplate: taskTemplate,
    Mode: fields.replicas === null ? { Global: {} } : { Replicated: { Replicas: fields.replicas } },
    // One task at a time, and stop on failure rather than roll on: a bad update must not take
    // every replica down with it.
    UpdateConfig: { Parallelism: 1, FailureAction: "pause", Order: fields.updateOrder },
    RollbackConfig: { Parallelism: 1, Order: fields.updateOrder },
    EndpointSpec: {
      ...(fields.endpointMode ? { Mode: fields.endpointMode } : {}),
      Ports: fields.ports.map((port) => {
        const config: Docker.PortConfig = {
          Protocol: port.protocol,
          TargetPort: port.target,
          PublishMode: "ingress",
        };
        if (port.published !== undefined) config.PublishedPort = port.published;
        return config;
      }),
    },
  };
  return spec;
}

function resourceAmountsSpec(amounts: ResourceAmountFields | undefined): Docker.ResourceLimits {
  const spec: Docker.ResourceLimits = {};
  if (amounts?.nanoCpus) spec.NanoCPUs = amounts.nanoCpus;
  if (amounts?.memoryBytes) spec.MemoryBytes = amounts.memoryBytes;
  return spec;
}

function mountSpec(mount: ObservedMount, app: string): Docker.MountSettings {
  const settings: Docker.MountSettings = {
    Type: mount.kind === "named" ? "volume" : "bind",
    Source: mount.source,
    Target: mount.target,
    ReadOnly: mount.readOnly,
  };
  if (mount.kind === "named") {
    // Labels the volume Docker creates on first use, so it can be traced back to its app.
    settings.VolumeOptions = {
      Labels: { [LABEL.managed]: "true", [LABEL.app]: app },
    } as unknown as Docker.MountSettings["VolumeOptions"];
  }
  return settings;
}
