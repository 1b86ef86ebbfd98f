import type { AppSpec, HealthcheckSpec, NetworkSpec, RestartPolicySpec } from "../manifest/types.js";
import type { HealthcheckFields, ObservedMount, RestartPolicyFields, ServiceFields } from "../swarm/types.js";
import { LABEL } from "../domain/names.js";
import { dockerVolumeOf } from "../rules/storage.js";
import type { PlanOptions } from "./types.js";
import { fileMounts, networkAttachments } from "./attachments.js";
import { normalizedSpecHash } from "./hash.js";
import { normalizeFields } from "./normalize.js";
import { redactOnSerialise } from "./redact.js";
import { defaultBearingFields } from "./serviceDefaults.js";

/** The node a persistent app is pinned to. */
export interface PinTarget {
  nodeId: string;
  hostname: string;
}

/** The placement constraint that pins a service to one node. */
export const pinConstraint = (nodeId: string): string => `node.id==${nodeId}`;

/**
 * The service fields AlaCrity sets for an app, normalised, with the `alacrity.hash` label.
 *
 * `alacrity.file` is `app.file`: the path relative to the apps directory (the same form as
 * `DesiredState.failedFiles`), which is what lets the prune guard recognise services defined by a file that currently fails.
 *
 * Networks are named through `networks` (the Network documents: an external one keeps its own
 * name), secrets and configs through `options.contents` (a content's Swarm name carries its hash,
 * so a new value changes the fields and updates the service).
 */
export function desiredFields(
  app: AppSpec,
  pin: PinTarget | undefined,
  options: PlanOptions,
  networks?: ReadonlyMap<string, NetworkSpec>,
): ServiceFields {
  const labels: Record<string, string> = {
    ...app.labels,
    [LABEL.managed]: "true",
    [LABEL.app]: app.name,
    [LABEL.instance]: options.instance,
    [LABEL.file]: app.file,
    [LABEL.persistent]: String(app.persistent),
  };
  if (app.persistent && pin) {
    labels[LABEL.pinNode] = pin.nodeId;
    labels[LABEL.pinHostname] = pin.hostname;
  }
  if (options.revision !== undefined) labels[LABEL.revision] = options.revision;

  // An external volume is mounted as a named one is: one Docker volume, whatever its name.
  const mounts: ObservedMount[] = app.volumes.map((v) =>
    v.kind === "host"
      ? { kind: "host", source: v.hostPath, target: v.containerPath, readOnly: v.readOnly }
      : { kind: "named", source: dockerVolumeOf(v), target: v.containerPath, readOnly: v.readOnly },
  );

  // Stateless: start-first unless the manifest says otherwise gives zero-downtime rolling updates
  // (the new task is up before the old one stops), which is safe because no data directory is
  // shared. Persistent apps are always stop-first (the manifest rules refuse anything else).
  const updateOrder = app.persistent ? "stop-first" : (app.update?.order ?? "start-first");
  const fields = normalizeFields({
    image: app.image,
    command: app.command,
    args: app.args,
    env: app.env,
    ports: app.ports.map((p) => ({ ...p, protocol: p.protocol ?? "tcp" })),
    mounts,
    labels,
    ...(app.resources ? { resources: app.resources } : {}),
    networks: networkAttachments(app, networks),
    ...(app.endpointMode ? { endpointMode: app.endpointMode } : {}),
    secrets: fileMounts(app.secrets, options.contents?.secrets),
    configs: fileMounts(app.configs, options.contents?.configs),
    ...(app.healthcheck ? { healthcheck: healthcheckFields(app.healthcheck) } : {}),
    ...(app.restart ? { restartPolicy: restartPolicyFields(app.restart) } : {}),
    ...defaultBearingFields(app, updateOrder),
    ...(app.persistent
      ? {
          // Persistent: one replica at most, on its pinned node, and stop-first so that two
          // containers never share one data directory, not even during an update.
          replicas: app.replicas,
          constraints: pin ? [pinConstraint(pin.nodeId)] : [],
          updateOrder,
          maxReplicasPerNode: 1,
        }
      : {
          replicas: app.mode === "global" ? null : app.replicas,
          constraints: [...(app.placement?.constraints ?? [])],
          updateOrder,
          maxReplicasPerNode: app.placement?.maxReplicasPerNode ?? 0,
          ...(app.placement?.preferences.length
            ? { placementPreferences: [...app.placement.preferences] }
            : {}),
        }),
  });
  // `fields.labels` is normalizeFields' own copy: the hash label is set on it in place.
  fields.labels[LABEL.hash] = normalizedSpecHash(fields);
  return redactOnSerialise(fields);
}

function healthcheckFields(spec: HealthcheckSpec): HealthcheckFields {
  const out: HealthcheckFields = { test: [...spec.test] };
  if (spec.intervalNs !== undefined) out.interval = spec.intervalNs;
  if (spec.timeoutNs !== undefined) out.timeout = spec.timeoutNs;
  if (spec.retries !== undefined) out.retries = spec.retries;
  if (spec.startPeriodNs !== undefined) out.startPeriod = spec.startPeriodNs;
  return out;
}

/** Swarm's condition is `any` when the manifest gives only a delay, attempts or window. */
function restartPolicyFields(spec: RestartPolicySpec): RestartPolicyFields {
  const out: RestartPolicyFields = { condition: spec.condition ?? "any" };
  if (spec.delayNs !== undefined) out.delay = spec.delayNs;
  if (spec.maxAttempts !== undefined) out.maxAttempts = spec.maxAttempts;
  if (spec.windowNs !== undefined) out.window = spec.windowNs;
  return out;
}
