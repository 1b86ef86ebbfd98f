import type { DesiredState } from "../manifest/types.js";
import { isManagedBy } from "../reconcile/managed.js";
import type { SwarmEvent } from "../swarm/events.js";
import type { ObservedState } from "../swarm/types.js";

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
  const name = event.name ?? observed?.services.find((s) => s.id === event.id)?.name;
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
