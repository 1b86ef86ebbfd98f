import { LABEL, STACK_NAMESPACE_LABEL, swarmNameOf } from "../domain/names.js";
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

/**
 * Whether `service` is one `apply --adopt-stack` takes over for the app: unmanaged by any
 * AlaCrity, of the stack named, and the app's own Swarm name (which only `spec.serviceName`
 * can give, since stack deploy names services `<stack>_<service>`).
 */
export function isAdoptable(
  app: { name: string; serviceName?: string },
  service: ObservedService,
  adoptStack: string | undefined,
): boolean {
  return (
    adoptStack !== undefined &&
    managingInstance(service) === undefined &&
    service.serviceName === swarmNameOf(app) &&
    service.fields.labels[STACK_NAMESPACE_LABEL] === adoptStack
  );
}

/** CONTRACT §3: a service of the app's name that is not ours is a reported conflict, never overwritten. */
export const UNMANAGED_CONFLICT = {
  id: "unmanaged-conflict",
  title: "A service AlaCrity does not manage is never overwritten (unless adopted from its stack)",
  contract: "§3.1",
  input: "app+service",
  reject: (app, service, options) => {
    if (!service || isManagedBy(service, options.instance)) return undefined;
    if (isAdoptable(app, service, options.adoptStack)) return undefined;
    const owner = managingInstance(service);
    const stack = service.fields.labels[STACK_NAMESPACE_LABEL];
    const named = app.serviceName === undefined ? "Rename the app" : "Change spec.serviceName";
    const field = app.serviceName === undefined ? "metadata.name" : "spec.serviceName";
    return {
      app: app.name,
      rule: "unmanaged-conflict",
      message:
        owner !== undefined
          ? `a service named ${service.serviceName} already exists and is managed by another AlaCrity instance ` +
            `("${owner}", this one is "${options.instance}"); it is left alone. ${named}, or remove the service`
          : stack !== undefined
            ? `a service named ${service.serviceName} already exists: it belongs to stack ${stack}, deployed by ` +
              `docker stack deploy, and is left alone. To take it over in place, apply with --adopt-stack ${stack}`
            : `a service named ${service.serviceName} already exists and is not managed by AlaCrity; it is left alone. ` +
              `${named}, or remove the service (or label it ${LABEL.managed}=true to hand it over)`,
      position: app.positions[field] ?? app.positions["metadata.name"] ?? app.source,
    };
  },
} as const satisfies AppPlanRule;

/**
 * Swarm cannot rename a service: a new `spec.serviceName` means removing the service and
 * creating it under the new name. A persistent app would have two containers on its data for a
 * moment, so it is refused; a non-persistent one is re-created (the plan says it restarts).
 */
export const SERVICE_RENAME_REFUSED = {
  id: "service-rename-refused",
  title: "A persistent app's Swarm service is never renamed (Swarm would re-create it)",
  contract: "§2.10",
  input: "app+service",
  reject: (app, service, options) => {
    if (!app.persistent || !service || !isManagedBy(service, options.instance)) return undefined;
    if (service.serviceName === swarmNameOf(app)) return undefined;
    return {
      app: app.name,
      rule: "service-rename-refused",
      message:
        `its service is named ${service.serviceName} in Swarm, which cannot rename a service, and re-creating it ` +
        `could run two containers on its data for a moment: set spec.serviceName back to ${service.serviceName}` +
        (service.serviceName === app.name ? " (or remove spec.serviceName)" : "") +
        `, or stop the service yourself (docker service rm ${service.serviceName}; its volumes stay) and apply again`,
      position: app.positions["spec.serviceName"] ?? app.positions["metadata.name"] ?? app.source,
    };
  },
} as const satisfies AppPlanRule;
