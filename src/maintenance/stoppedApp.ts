import type Docker from "dockerode";
import { systemClock } from "../domain/clock.js";
import type { Clock } from "../domain/clock.js";
import { removeJobsOf } from "../swarm/oneShotJob.js";
import type { MaintenanceOperation, ObservedState } from "../swarm/types.js";
import { releaseMaintenance, takeMaintenance } from "./maintenanceRecord.js";
import { startService, stopService } from "./serviceRun.js";
import type { MaintenanceTarget } from "./target.js";

export interface StoppedOptions {
  operation: MaintenanceOperation;
  takeOver?: boolean;
  /** For a move: the node it goes to, recorded so that a rerun finishes the same move. */
  to?: { nodeId: string; hostname: string };
  /** Where the app runs once started again, when `work` changed it (a move); else its node. */
  startsOn?: () => string;
  /** How long the app's task may take to stop, and to run again. */
  stopTimeoutMs: number;
  startTimeoutMs: number;
  onStep?: (line: string) => void;
  /** Injected for tests; defaults to the system clock. */
  clock?: Clock;
}

export interface Stopped<T> {
  result: T;
  /** An earlier run of the operation had died; this one finished it. */
  resumed: boolean;
  /** Why the app does not run again, when `work` succeeded but the start did not. */
  startProblem?: string;
}

/**
 * Runs `work` while the app is out of service, and starts it again afterwards, also when `work`
 * fails: the maintenance record is written first (no controller starts the app meanwhile), the
 * service is scaled to 0 and its task waited out, and once `work` is over the service gets its
 * replicas back and the record goes. A removed app (no service) has nothing to stop. Killed in
 * between, the record stays and says who stopped the app; running the command again finishes.
 */
export async function whileStopped<T>(
  docker: Docker,
  observed: ObservedState,
  target: MaintenanceTarget,
  options: StoppedOptions,
  work: () => Promise<T>,
): Promise<Stopped<T>> {
  const step = options.onStep ?? ((): void => undefined);
  const clock = options.clock ?? systemClock;
  const service = target.service;
  const { record, resumed } = await takeMaintenance(docker, observed, {
    app: target.app,
    operation: options.operation,
    replicas: service?.fields.replicas ?? 0,
    ...(options.takeOver ? { takeOver: true } : {}),
    ...(options.to ? { to: options.to } : {}),
    since: new Date(clock.now()),
  });
  if (resumed) step(`resuming the unfinished ${options.operation} of ${target.app}`);
  const leftover = await removeJobsOf(docker, target.app);
  if (leftover > 0) step(`removed ${leftover} job(s) a killed command had left`);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    if (service) {
      const began = clock.now();
      await stopService(docker, service.id, options.stopTimeoutMs, clock);
      step(`stopped ${target.app} (${seconds(clock.now() - began)})`);
    }
    outcome = { ok: true, value: await work() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  try {
    if (service && record.replicas > 0) {
      const began = clock.now();
      await startService(docker, service.id, record.replicas, options.startTimeoutMs, clock);
      const on = options.startsOn?.() ?? target.hostname;
      step(`started ${target.app} again on ${on} (${seconds(clock.now() - began)})`);
    }
  } catch (startError) {
    await releaseMaintenance(docker, record);
    if (!outcome.ok) throw combined(outcome.error, startError);
    return { result: outcome.value, resumed, startProblem: messageOf(startError) };
  }
  await releaseMaintenance(docker, record);
  if (!outcome.ok) throw outcome.error;
  return { result: outcome.value, resumed };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function combined(first: unknown, then: unknown): Error {
  return new Error(`${messageOf(first)}; and starting the app again failed too: ${messageOf(then)}`, {
    cause: first,
  });
}
