import type { DesiredState } from "../manifest/types.js";
import { isManagedBy } from "../reconcile/managed.js";
import type { SwarmEvent } from "../swarm/events.js";
import type { ObservedState } from "../swarm/types.js";
import { swarmNameOf } from "../domain/names.js";

/** What a Docker event asks of the daemon. */
export type EventRoute = { kind: "resync"; reason: string } | { kind: "enqueue"; name: string } | undefined;

/**
 * Turns a Docker event into work: a node event can change any app's status or placement (resync
 * all); a service event enqueues its app by name, or resyncs when the name cannot be told. Events
 * of services that cannot matter to this instance are ignored (see `concerns`).
 */
export function routeEvent(
  event: SwarmEvent,
  desired: DesiredState | undefined,
  observed: ObservedState | undefined,
  instance: string,
): EventRoute {
  if (event.type === "node") return { kind: "resync", reason: `node ${event.action}` };
  const name = appOf(event, desired, observed);
  if (name === undefined) return { kind: "resync", reason: `service ${event.action}` };
  return concerns(name, desired, observed, instance) ? { kind: "enqueue", name } : undefined;
}

/**
 * Whether a service event can matter to this instance: the name is a desired app, or a service
 * this instance managed when last observed. Events of other instances' and unmanaged services
 * are ignored, so a shared Swarm's traffic does not make this daemon re-observe; the periodic
 * resync still catches anything a skipped event could have meant.
 */
function concerns(
  name: string,
  desired: DesiredState | undefined,
  observed: ObservedState | undefined,
  instance: string,
): boolean {
  if (desired === undefined || observed === undefined) return true;
  if (desired.apps.has(name) || desired.invalid.some((i) => i.name === name)) return true;
  const service = observed.services.find((s) => s.name === name);
  return service !== undefined && isManagedBy(service, instance);
}

/**
 * The app a service event is about. Events name the service as Swarm does, which is the app's
 * name unless `spec.serviceName` says otherwise (a service taken over from a stack).
 */
function appOf(
  event: SwarmEvent,
  desired: DesiredState | undefined,
  observed: ObservedState | undefined,
): string | undefined {
  const known = observed?.services.find((s) => s.id === event.id || s.serviceName === event.name);
  if (known) return known.name;
  if (event.name === undefined) return undefined;
  for (const app of desired?.apps.values() ?? []) if (swarmNameOf(app) === event.name) return app.name;
  return event.name;
}
