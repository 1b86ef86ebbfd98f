import type Docker from "dockerode";
import { isLegacyUpdatePolicy } from "../domain/legacyUpdatePolicy.js";
import { endpointModeFromSpec, fileMountsFromSpec, networksFromSpec } from "./attachmentSpec.js";
import type { ContainerSpec } from "./serviceSpec.js";
import type {
  HealthcheckFields,
  RestartPolicyFields,
  UpdatePolicyFields,
  ObservedMount,
  ObservedPort,
  ResourceAmountFields,
  ResourceFields,
  ServiceFields,
} from "./types.js";

/**
 * Reads the fields AlaCrity sets out of a service spec as Swarm returns it, normalised so that
 * `fieldsFromSpec(specFromFields(f))` equals `f` even after Swarm filled in its defaults:
 * that equality is what lets a no-op resync plan nothing. `networkNames` maps the network IDs
 * Swarm stores to their names (observe lists the networks).
 */
export function fieldsFromSpec(
  spec: Docker.ServiceSpec | undefined,
  networkNames: ReadonlyMap<string, string> = new Map(),
): ServiceFields {
  const task = (spec?.TaskTemplate ?? {}) as Docker.ContainerTaskSpec;
  const container: ContainerSpec = task.ContainerSpec ?? {};
  const fields: ServiceFields = {
    image: stripDigest(container.Image ?? ""),
    env: envRecord(container.Env),
    ports: (spec?.EndpointSpec?.Ports ?? []).map(portFromSpec),
    mounts: (container.Mounts ?? []).flatMap(mountFromSpec),
    constraints: [...(task.Placement?.Constraints ?? [])],
    labels: { ...(spec?.Labels ?? {}) },
    replicas: replicasOf(spec?.Mode),
    updateOrder: orderOf(spec?.UpdateConfig),
    maxReplicasPerNode: task.Placement?.MaxReplicas ?? 0,
  };
  const resources = resourcesFromSpec(task.Resources);
  if (resources) fields.resources = resources;
  // Swarm drops empty lists, so "no command" and "[]" are the same thing: both read as absent.
  if (container.Command && container.Command.length > 0) fields.command = [...container.Command];
  if (container.Args && container.Args.length > 0) fields.args = [...container.Args];
  const networks = networksFromSpec(task.Networks, networkNames);
  if (networks) fields.networks = networks;
  const endpointMode = endpointModeFromSpec(spec?.EndpointSpec?.Mode);
  if (endpointMode) fields.endpointMode = endpointMode;
  const secrets = fileMountsFromSpec(container.Secrets, (secret) => secret.SecretName);
  if (secrets) fields.secrets = secrets;
  const configs = fileMountsFromSpec(container.Configs, (config) => config.ConfigName);
  if (configs) fields.configs = configs;
  const healthcheck = healthcheckFromSpec(container.Healthcheck);
  if (healthcheck) fields.healthcheck = healthcheck;
  if (container.StopGracePeriod !== undefined) fields.stopGracePeriod = container.StopGracePeriod;
  if (task.RestartPolicy) fields.restartPolicy = restartPolicyFromSpec(task.RestartPolicy);
  const preferences = (task.Placement?.Preferences ?? []).flatMap((p) =>
    p.Spread?.SpreadDescriptor !== undefined ? [p.Spread.SpreadDescriptor] : [],
  );
  if (preferences.length > 0) fields.placementPreferences = preferences;
  const updateConfig = spec?.UpdateConfig ? policyFromSpec(spec.UpdateConfig) : undefined;
  if (updateConfig && !isLegacyUpdatePolicy(updateConfig)) fields.updateConfig = updateConfig;
  if (spec?.RollbackConfig) {
    const rollback = { ...policyFromSpec(spec.RollbackConfig), order: orderOf(spec.RollbackConfig) };
    // Before issue 17, the rollback order was the update order: that shape, too, reads as none.
    if (!isLegacyUpdatePolicy(rollback) || rollback.order !== fields.updateOrder)
      fields.rollbackConfig = rollback;
  }
  return fields;
}

/** Swarm leaves zero durations and retries out; `["NONE"]` alone is `healthcheck: none`. */
function healthcheckFromSpec(spec: Docker.HealthConfig | undefined): HealthcheckFields | undefined {
  if (!spec?.Test || spec.Test.length === 0) return undefined;
  const out: HealthcheckFields = { test: [...spec.Test] };
  if (spec.Interval) out.interval = spec.Interval;
  if (spec.Timeout) out.timeout = spec.Timeout;
  if (spec.Retries) out.retries = spec.Retries;
  if (spec.StartPeriod) out.startPeriod = spec.StartPeriod;
  return out;
}

/**
 * Swarm returns MaxAttempts 0 when none was set; 0 and absent are both "no limit", as are a 0 and
 * an absent window. A Delay of 0 is kept: no delay, where an absent one is Swarm's 5 s.
 */
function restartPolicyFromSpec(spec: Docker.TaskRestartPolicy): RestartPolicyFields {
  const condition = spec.Condition === "none" || spec.Condition === "on-failure" ? spec.Condition : "any";
  const out: RestartPolicyFields = { condition };
  if (spec.Delay !== undefined) out.delay = spec.Delay;
  if (spec.MaxAttempts) out.maxAttempts = spec.MaxAttempts;
  if (spec.Window) out.window = spec.Window;
  return out;
}

/** Swarm leaves a zero Delay and Monitor out; its failure action defaults to pause. */
function policyFromSpec(spec: Docker.UpdateConfig): UpdatePolicyFields {
  const action = spec.FailureAction;
  return {
    parallelism: spec.Parallelism ?? 0,
    delay: spec.Delay ?? 0,
    failureAction: action === "rollback" || action === "continue" ? action : "pause",
    monitor: spec.Monitor ?? 0,
    maxFailureRatio: spec.MaxFailureRatio ?? 0,
  };
}

const orderOf = (spec: Docker.UpdateConfig | undefined): ServiceFields["updateOrder"] =>
  spec?.Order === "start-first" ? "start-first" : "stop-first";

/** Limits and reservations that are set (non-zero); undefined when none is. */
function resourcesFromSpec(resources: Docker.ResourceRequirements | undefined): ResourceFields | undefined {
  const amounts = (
    spec: Docker.ResourceLimits | Docker.Resources | undefined,
  ): ResourceAmountFields | undefined => {
    const out: ResourceAmountFields = {};
    if (spec?.NanoCPUs) out.nanoCpus = spec.NanoCPUs;
    if (spec?.MemoryBytes) out.memoryBytes = spec.MemoryBytes;
    return out.nanoCpus !== undefined || out.memoryBytes !== undefined ? out : undefined;
  };
  const limits = amounts(resources?.Limits);
  const reservations = amounts(resources?.Reservations);
  if (!limits && !reservations) return undefined;
  return { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) };
}

/** Swarm pins `image:tag` to `image:tag@sha256:...` when a registry answers; we compare tags. */
export function stripDigest(image: string): string {
  return image.replace(/@sha256:[0-9a-f]+$/i, "");
}

/** `KEY=VALUE` entries to a record with sorted keys; an entry without `=` has the empty value. */
export function envRecord(env: readonly string[] | undefined): Record<string, string> {
  const pairs = (env ?? []).map((entry): [string, string] => {
    const eq = entry.indexOf("=");
    return eq < 0 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)];
  });
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(pairs);
}

function portFromSpec(port: Docker.PortConfig): ObservedPort {
  const observed: ObservedPort = {
    target: port.TargetPort ?? 0,
    protocol: port.Protocol === "udp" ? "udp" : "tcp",
  };
  if (port.PublishedPort) observed.published = port.PublishedPort;
  return observed;
}

/** Only volume and bind mounts are AlaCrity's; other kinds (tmpfs, ...) are not read. */
function mountFromSpec(mount: Docker.MountSettings): ObservedMount[] {
  const common = { source: mount.Source ?? "", target: mount.Target, readOnly: mount.ReadOnly ?? false };
  if (mount.Type === "volume") return [{ kind: "named", ...common }];
  if (mount.Type === "bind") return [{ kind: "host", ...common }];
  return [];
}

function replicasOf(mode: Docker.ServiceMode | undefined): number | null {
  if (mode?.Replicated) return mode.Replicated.Replicas ?? 1;
  if (mode === undefined || Object.keys(mode).length === 0) return 1; // Swarm's default mode
  return null;
}
