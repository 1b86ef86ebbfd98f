import type Docker from "dockerode";
import { LABEL } from "../domain/names.js";
import { configsSpec, networksSpec, secretsSpec } from "./attachmentSpec.js";
import { NETWORK_NAMES_ONLY, type SwarmIds } from "./swarmIds.js";
import { LEGACY_UPDATE_POLICY } from "../domain/legacyUpdatePolicy.js";
import type {
  HealthcheckFields,
  ObservedMount,
  ResourceAmountFields,
  RestartPolicyFields,
  ServiceFields,
  UpdatePolicyFields,
} from "./types.js";

/** The Engine API spells it `Healthcheck`; @types/dockerode has `HealthCheck`, which Docker ignores. */
export type ContainerSpec = Docker.ContainerSpec & { Healthcheck?: Docker.HealthConfig };

/**
 * The Docker Engine API service spec for `fields`: the exact inverse of `fieldsFromSpec`.
 * Everything else is left to Swarm's defaults, which `fieldsFromSpec` reads past.
 * `ids` gives the secret and config IDs Swarm needs beside their names (`lookupIds`); the default
 * suits fields without secrets or configs.
 *
 * The containers are labelled with the spec hash (`LABEL.taskHash`), so that the tasks of a spec
 * Swarm rolled back still name it (an update that must not replace the tasks keeps the service's
 * own task template instead: execute.ts).
 */
export function specFromFields(
  name: string,
  fields: ServiceFields,
  ids: SwarmIds = NETWORK_NAMES_ONLY,
): Docker.ServiceSpec {
  const app = fields.labels[LABEL.app] ?? name;
  const containerSpec: ContainerSpec = {
    Image: fields.image,
    Env: Object.keys(fields.env)
      .sort()
      .map((key) => `${key}=${fields.env[key] ?? ""}`),
    Mounts: fields.mounts.map((mount) => mountSpec(mount, app)),
  };
  const hash = fields.labels[LABEL.hash];
  if (hash !== undefined) containerSpec.Labels = { [LABEL.taskHash]: hash };
  if (fields.command && fields.command.length > 0) containerSpec.Command = [...fields.command];
  if (fields.args && fields.args.length > 0) containerSpec.Args = [...fields.args];
  const secrets = secretsSpec(fields.secrets, ids);
  if (secrets) containerSpec.Secrets = secrets;
  const configs = configsSpec(fields.configs, ids);
  if (configs) containerSpec.Configs = configs;

  if (fields.healthcheck) containerSpec.Healthcheck = healthcheckSpec(fields.healthcheck);
  if (fields.stopGracePeriod !== undefined) containerSpec.StopGracePeriod = fields.stopGracePeriod;

  const placement: Docker.Placement = { Constraints: [...fields.constraints] };
  if (fields.placementPreferences && fields.placementPreferences.length > 0) {
    placement.Preferences = fields.placementPreferences.map((d) => ({ Spread: { SpreadDescriptor: d } }));
  }
  if (fields.maxReplicasPerNode > 0) placement.MaxReplicas = fields.maxReplicasPerNode;

  const taskTemplate: Docker.ContainerTaskSpec = { ContainerSpec: containerSpec, Placement: placement };
  if (fields.restartPolicy) taskTemplate.RestartPolicy = restartPolicySpec(fields.restartPolicy);
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
    // Without a policy, the one AlaCrity wrote before issue 17 (legacyUpdatePolicy.ts), which
    // `fieldsFromSpec` reads back as none.
    UpdateConfig: policySpec(fields.updateConfig ?? LEGACY_UPDATE_POLICY, fields.updateOrder),
    RollbackConfig: policySpec(
      fields.rollbackConfig ?? LEGACY_UPDATE_POLICY,
      fields.rollbackConfig?.order ?? fields.updateOrder,
    ),
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

/**
 * Written as Swarm stores them, so that they read back unchanged: a zero duration or retry count
 * (the image's value) is left out.
 */
function healthcheckSpec(h: HealthcheckFields): Docker.HealthConfig {
  const spec: Docker.HealthConfig = { Test: [...h.test] };
  if (h.interval) spec.Interval = h.interval;
  if (h.timeout) spec.Timeout = h.timeout;
  if (h.retries) spec.Retries = h.retries;
  if (h.startPeriod) spec.StartPeriod = h.startPeriod;
  return spec;
}

/** An absent delay is Swarm's 5 s, a 0 one none: only what is set is written. */
function restartPolicySpec(r: RestartPolicyFields): Docker.TaskRestartPolicy {
  const spec: Docker.TaskRestartPolicy = { Condition: r.condition };
  if (r.delay !== undefined) spec.Delay = r.delay;
  if (r.maxAttempts !== undefined) spec.MaxAttempts = r.maxAttempts;
  if (r.window !== undefined) spec.Window = r.window;
  return spec;
}

/** Swarm leaves a zero Delay and Monitor out of what it returns; writing them is harmless. */
function policySpec(
  p: Pick<UpdatePolicyFields, keyof UpdatePolicyFields> | typeof LEGACY_UPDATE_POLICY,
  order: ServiceFields["updateOrder"],
): Docker.UpdateConfig {
  const spec: Docker.UpdateConfig = {
    Parallelism: p.parallelism,
    FailureAction: p.failureAction,
    MaxFailureRatio: p.maxFailureRatio,
    Order: order,
  };
  if (p.delay) spec.Delay = p.delay;
  if (p.monitor) spec.Monitor = p.monitor;
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
  if (mount.kind === "named") settings.VolumeOptions = appVolumeOptions(app);
  return settings;
}

/**
 * Labels the volume Docker creates on first use, so it can be traced back to its app (also a
 * volume a move's job creates on the new node before the app's first task there).
 */
export const appVolumeOptions = (app: string): Docker.MountSettings["VolumeOptions"] =>
  ({
    Labels: { [LABEL.managed]: "true", [LABEL.app]: app },
  }) as unknown as Docker.MountSettings["VolumeOptions"];
