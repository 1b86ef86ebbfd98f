import type Docker from "dockerode";
import { LABEL } from "../domain/names.js";
import { pinConstraint } from "../reconcile/desiredFields.js";
import { toDockerError } from "../swarm/errors.js";
import type { ObservedService } from "../swarm/types.js";
import { updateService } from "../swarm/updateService.js";
import type { NodeRef } from "./copyJobs.js";

const swapPin = (constraints: readonly string[], from: string, to: string): string[] => {
  const kept = constraints.filter((c) => c !== pinConstraint(from) && c !== pinConstraint(to));
  return [...kept, pinConstraint(to)];
};

/**
 * Places the (stopped) service on its new node: the pin constraint and labels name it. The spec
 * hash stays the one of the last apply: the manifest's `spec.node` is the user's to change, and the
 * apply of that change then finds only the hash to update, with no task replaced. Nothing is
 * written when the service is there already (a rerun after a kill).
 */
export async function repinService(
  docker: Docker,
  service: ObservedService,
  from: NodeRef,
  to: NodeRef,
): Promise<void> {
  try {
    const raw = (await docker.getService(service.id).inspect()) as {
      Version?: { Index?: number };
      Spec?: Docker.ServiceSpec;
    };
    const spec = raw.Spec ?? {};
    const template: Docker.ContainerTaskSpec | undefined = spec.TaskTemplate;
    const current = template?.Placement?.Constraints ?? [];
    if (current.includes(pinConstraint(to.nodeId)) && spec.Labels?.[LABEL.pinNode] === to.nodeId) return;
    const next = {
      ...spec,
      Labels: {
        ...spec.Labels,
        [LABEL.pinNode]: to.nodeId,
        [LABEL.pinHostname]: to.hostname,
      },
      TaskTemplate: {
        ...template,
        Placement: { ...template?.Placement, Constraints: swapPin(current, from.nodeId, to.nodeId) },
      },
    } as Docker.ServiceSpec;
    await updateService(docker, service.id, raw.Version?.Index ?? 0, next);
  } catch (err) {
    throw toDockerError(err, `cannot place ${service.name} on ${to.hostname}`);
  }
}
