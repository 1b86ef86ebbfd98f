import type Docker from "dockerode";

type ServiceSpec = NonNullable<Docker.Service["Spec"]>;
type TaskTemplate = NonNullable<ServiceSpec["TaskTemplate"]>;

/**
 * Edits a service as an operator would with `docker service update`, outside AlaCrity: the drift
 * tests then check what the plan says of it and what apply restores. `change` gets the current
 * spec and returns the new one; the update is made against the version that was read.
 */
export async function editServiceByHand(
  docker: Docker,
  service: Docker.Service,
  change: (spec: ServiceSpec) => ServiceSpec,
): Promise<void> {
  await docker.getService(service.ID).update({
    _query: { version: service.Version!.Index },
    _body: change(service.Spec!),
  });
}

/** The same, for a change of the task template only (resources, placement, container spec). */
export function editTaskTemplateByHand(
  docker: Docker,
  service: Docker.Service,
  change: (template: TaskTemplate) => TaskTemplate,
): Promise<void> {
  return editServiceByHand(docker, service, (spec) => ({
    ...spec,
    TaskTemplate: change(spec.TaskTemplate!),
  }));
}
