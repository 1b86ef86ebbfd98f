import { LABEL } from "../domain/names.js";
import type { ObservedService } from "../swarm/types.js";
import type { AppPlanRule } from "./rule.js";

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

/** CONTRACT §3: a service of the app's name that is not ours is a reported conflict, never overwritten. */
export const UNMANAGED_CONFLICT = {
  id: "unmanaged-conflict",
  title: "A service AlaCrity does not manage is never overwritten",
  contract: "§3.1",
  input: "app+service",
  reject: (app, service, options) => {
    if (!service || isManagedBy(service, options.instance)) return undefined;
    const owner = managingInstance(service);
    return {
      app: app.name,
      rule: "unmanaged-conflict",
      message:
        owner === undefined
          ? `a service named ${app.name} already exists and is not managed by AlaCrity; it is left alone. ` +
            `Rename the app, or remove the service (or label it ${LABEL.managed}=true to hand it over)`
          : `a service named ${app.name} already exists and is managed by another AlaCrity instance ` +
            `("${owner}", this one is "${options.instance}"); it is left alone. Rename the app, or remove the service`,
      position: app.positions["metadata.name"] ?? app.source,
    };
  },
} as const satisfies AppPlanRule;
