import type { Logger } from "pino";
import type { ActionPort } from "../execute/appExecutor.js";
import type { ResourcePort } from "../execute/resourceRunner.js";
import type { Boundary } from "../manifest/containment.js";
import type { DesiredState } from "../manifest/types.js";
import type { Plan } from "../reconcile/types.js";
import type { SwarmEvent } from "../swarm/events.js";
import type { ObservedState } from "../swarm/types.js";

/**
 * What the daemon needs from the other layers, injected so that the orchestration can be tested on
 * its own and the real layers plugged in by `alacrity run` (see `swarmDaemonDeps`; the Git source
 * wraps them to load one commit at a time).
 */
export interface DaemonDeps extends ActionPort, ResourcePort {
  /** Reads the whole apps directory (never throws for bad manifests: they are in `errors`). */
  loadDesired(): Promise<DesiredState>;
  /**
   * Reads what the manifests of `appsDir` point at outside themselves (host paths' links, secret
   * files, variables) for the next plans; for a loader of its own (GitOps loads each commit's
   * checkout). Returns the state with `contentVersions` set.
   */
  readInputs?(desired: DesiredState, appsDir: string, within?: Boundary): Promise<DesiredState>;
  /** Reads the whole Swarm state. */
  observe(): Promise<ObservedState>;
  /** The pure planner, with the daemon's plan options already bound. */
  plan(desired: DesiredState, observed: ObservedState): Plan;
  /** Subscribes to service and node events; `onError` is called once when the stream fails. */
  watchEvents(onEvent: (event: SwarmEvent) => void, onError: (err: Error) => void): { stop(): void };
  /**
   * Starts watching the manifests; optional (without it, only resyncs reload them).
   * `onBurstStart` comes at the first change of a burst, `onChange` once the burst is over.
   */
  watchManifests?(onChange: () => void, onBurstStart?: () => void): Promise<{ close(): Promise<void> }>;
  logger: Logger;
}
