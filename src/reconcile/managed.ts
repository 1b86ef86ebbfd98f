import type { ObservedService } from "../swarm/types.js";
import { LABEL } from "../domain/names.js";

/** The instance a service without an instance label belongs to (services made before the label existed). */
export const DEFAULT_INSTANCE = "default";

/** The AlaCrity instance that manages a service, or undefined when no AlaCrity manages it. */
export function managingInstance(service: ObservedService): string | undefined {
  const labels = service.fields.labels;
  if (labels[LABEL.managed] !== "true") return undefined;
  return labels[LABEL.instance] ?? DEFAULT_INSTANCE;
}

/**
 * True when this instance owns the service. Only such services are ever changed or removed;
 * another instance's service is treated like an unmanaged one, so controllers sharing a Swarm
 * never touch each other's apps.
 */
export function isManagedBy(service: ObservedService, instance: string): boolean {
  return managingInstance(service) === instance;
}
