import type Docker from "dockerode";
import { DockerError, statusCodeOf, toDockerError } from "./errors.js";
import { createContent, removeContent } from "./contents.js";
import { hold, releaseHold } from "./holds.js";
import { createNetwork, removeNetwork } from "./networks.js";
import { createService } from "./createService.js";
import { specFromFields } from "./serviceSpec.js";
import { lookupIds } from "./swarmIds.js";
import { updateService } from "./updateService.js";
import { LABEL, pinConfigName } from "../domain/names.js";
import { recordLeftBehind, storageLabels } from "./pinRecords.js";
import type { ObservedState, SwarmAction } from "./types.js";

/**
 * Performs one planned action against the Swarm. Updates carry the version they were planned
 * against, so a service changed in between fails with a retryable "update out of sequence"
 * instead of being clobbered; the controller then re-observes and re-plans.
 * Every failure is thrown as a `DockerError` with Docker's own message.
 */
export async function execute(docker: Docker, action: SwarmAction, observed?: ObservedState): Promise<void> {
  switch (action.kind) {
    case "pin":
      return pin(docker, action);
    case "record-storage":
      return recordStorage(docker, action);
    case "create":
      return create(
        docker,
        action.app,
        specFromFields(
          action.serviceName ?? action.app,
          action.fields,
          await lookupIds(docker, action.app, action.fields),
        ),
      );
    case "update": {
      if (action.recreate) return recreate(docker, action);
      const spec = specFromFields(
        action.serviceName ?? action.app,
        action.fields,
        await lookupIds(docker, action.app, action.fields),
      );
      return update(
        docker,
        action.app,
        action.serviceId,
        action.version,
        action.restarts === false
          ? keepingTasks(spec, await currentSpec(docker, action, observed, "update"))
          : spec,
      );
    }
    case "scale":
      return scale(docker, action, observed);
    case "remove":
      return remove(docker, action.app, action.serviceId);
    case "create-network":
      return createNetwork(docker, action.network);
    case "remove-network":
      return removeNetwork(docker, action.networkId, action.name);
    case "create-content":
      return createContent(docker, action);
    case "remove-content":
      return removeContent(docker, action.of, action.id, action.name);
    case "hold":
      return hold(docker, action);
    case "release-hold":
      return releaseHold(docker, action.app, action.configId);
  }
}

type PinAction = Extract<SwarmAction, { kind: "pin" }>;
type RecordStorageAction = Extract<SwarmAction, { kind: "record-storage" }>;
type ScaleAction = Extract<SwarmAction, { kind: "scale" }>;
type UpdateAction = Extract<SwarmAction, { kind: "update" }>;

/**
 * The spec Swarm has for the service at the version the action was planned against: from the
 * observed state when it holds that version, else inspected.
 */
async function currentSpec(
  docker: Docker,
  action: { app: string; serviceId: string; version: number },
  observed: ObservedState | undefined,
  doing: string,
): Promise<Docker.ServiceSpec | undefined> {
  const known = observed?.services.find(
    (service) => service.id === action.serviceId && service.version === action.version,
  );
  const raw = known?.rawSpec as Docker.ServiceSpec | undefined;
  if (raw) return raw;
  try {
    const inspected = (await docker.getService(action.serviceId).inspect()) as Docker.Service;
    return inspected.Spec;
  } catch (err) {
    throw toDockerError(err, `cannot ${doing} service ${action.app}`);
  }
}

/**
 * `next` with the task template and endpoint the service has now, but the new placement: an
 * update the planner found to replace no task must not replace one. Swarm replaces a task when its
 * template or endpoint differs in any way (swarmkit's IsTaskDirty), so the service's own are sent
 * back, including what AlaCrity does not model (the container labels, of which a new task hash
 * would be one; what `docker stack deploy` wrote, for a service taken over from a stack), rather
 * than rebuilt from fields that are equal to them.
 */
function keepingTasks(next: Docker.ServiceSpec, current: Docker.ServiceSpec | undefined): Docker.ServiceSpec {
  const task: Docker.ContainerTaskSpec | undefined = current?.TaskTemplate;
  if (!current || !task) return next;
  const placement = next.TaskTemplate?.Placement;
  const kept: Docker.ServiceSpec = {
    ...next,
    TaskTemplate: { ...task, ...(placement ? { Placement: placement } : {}) },
  };
  if (current.EndpointSpec) kept.EndpointSpec = current.EndpointSpec;
  else delete kept.EndpointSpec;
  return kept;
}

/**
 * A change of mode (replicated ↔ global), which Swarm refuses to update: the service is removed
 * and created again under its name, so its tasks are replaced (the plan says so). Only
 * non-persistent apps can change mode, so no data directory is at stake.
 */
async function recreate(docker: Docker, action: UpdateAction): Promise<void> {
  const spec = specFromFields(
    action.serviceName ?? action.app,
    action.fields,
    await lookupIds(docker, action.app, action.fields),
  );
  await remove(docker, action.app, action.serviceId);
  await create(docker, action.app, spec);
}

async function pin(docker: Docker, action: PinAction): Promise<void> {
  if (action.leaves) await recordLeftBehind(docker, action.app, action.leaves);
  if (action.replaces) {
    try {
      await docker.getConfig(action.replaces).remove();
    } catch (err) {
      // Already gone is what we wanted.
      if (statusCodeOf(err) !== 404) throw toDockerError(err, `cannot remove the old pin of ${action.app}`);
    }
  }
  const record = {
    app: action.app,
    nodeId: action.nodeId,
    hostname: action.hostname,
    pinnedAt: new Date().toISOString(),
  };
  try {
    await docker.createConfig({
      Name: pinConfigName(action.app),
      Labels: {
        [LABEL.pinRecord]: "true",
        [LABEL.managed]: "true",
        [LABEL.app]: action.app,
        [LABEL.pinNode]: action.nodeId,
        [LABEL.pinHostname]: action.hostname,
        ...storageLabels(action.storage),
      },
      Data: Buffer.from(JSON.stringify(record)).toString("base64"),
    });
  } catch (err) {
    if (statusCodeOf(err) === 409) {
      throw new DockerError(
        `${action.app} is already pinned (config ${pinConfigName(action.app)} exists); a move must name the pin it replaces`,
        {
          statusCode: 409,
          retryable: true,
          cause: err,
        },
      );
    }
    throw toDockerError(err, `cannot pin ${action.app} to ${action.hostname || action.nodeId}`);
  }
}

/**
 * Writes the storage labels of an existing pin record. Swarm lets a config's labels change, not
 * its data; the update carries the version it was planned against, so a record changed in
 * between fails with a retryable "update out of sequence" instead of losing what was recorded.
 */
async function recordStorage(docker: Docker, action: RecordStorageAction): Promise<void> {
  const config = docker.getConfig(action.configId);
  try {
    const current = (await config.inspect()) as { Spec?: { Name?: string; Labels?: Record<string, string> } };
    await config.update({
      _query: { version: action.version },
      _body: {
        Name: current.Spec?.Name ?? pinConfigName(action.app),
        Labels: { ...(current.Spec?.Labels ?? {}), ...storageLabels(action.storage) },
      },
    });
  } catch (err) {
    throw toDockerError(err, `cannot record the storage of ${action.app} on its pin`);
  }
}

async function create(docker: Docker, app: string, spec: Docker.ServiceSpec): Promise<void> {
  try {
    await createService(docker, spec);
  } catch (err) {
    if (statusCodeOf(err) === 409) {
      throw new DockerError(`cannot create service ${app}: a service with that name already exists`, {
        statusCode: 409,
        retryable: true,
        cause: err,
      });
    }
    throw toDockerError(err, `cannot create service ${app}`);
  }
}

async function update(
  docker: Docker,
  app: string,
  serviceId: string,
  version: number,
  spec: Docker.ServiceSpec,
): Promise<void> {
  try {
    await updateService(docker, serviceId, version, spec);
  } catch (err) {
    throw toDockerError(err, `cannot update service ${app}`);
  }
}

async function scale(
  docker: Docker,
  action: ScaleAction,
  observed: ObservedState | undefined,
): Promise<void> {
  const spec = await currentSpec(docker, action, observed, "scale");
  if (!spec?.Mode?.Replicated) {
    throw new DockerError(`cannot scale service ${action.app}: it is not a replicated service`, {
      retryable: false,
    });
  }
  // Only the replica count changes; the rest of the spec is sent back as Swarm gave it.
  const scaled: Docker.ServiceSpec = {
    ...spec,
    Mode: { ...spec.Mode, Replicated: { ...spec.Mode.Replicated, Replicas: action.to } },
  };
  await update(docker, action.app, action.serviceId, action.version, scaled);
}

async function remove(docker: Docker, app: string, serviceId: string): Promise<void> {
  try {
    await docker.getService(serviceId).remove();
  } catch (err) {
    if (statusCodeOf(err) === 404) return; // already removed: the goal is reached
    throw toDockerError(err, `cannot remove service ${app}`);
  }
}
