import { LABEL } from "../domain/names.js";
import { newestTasksFirst } from "../domain/taskOrder.js";
import type { HoldRecord, ObservedService, ObservedTask } from "../swarm/types.js";
import { DEFAULT_INSTANCE } from "./managed.js";
import type { Action, HeldApp } from "./types.js";

/**
 * Swarm's UpdateStatus states once it has rolled an update back (or is doing so): the service then
 * runs the previous spec, and its PreviousSpec is cleared (seen on Docker 20.10, see
 * swarm/observe.ts). `paused` is not one of them: a paused update leaves the failed spec in place,
 * so re-applying it would change nothing and there is no loop to prevent.
 */
const ROLLED_BACK = new Set(["rollback_started", "rollback_paused", "rollback_completed"]);

/** The spec Swarm rolled back, and why, as detected from the service and its tasks. */
export interface RolledBack {
  hash: string;
  reason: string;
}

/**
 * What the service and its tasks say Swarm rolled back: the spec hash of the newest task started
 * from another spec than the one the service runs now (tasks carry `LABEL.taskHash`). The reason
 * is that spec's newest task error ("task: non-zero exit (137): dockerexec: unhealthy container"),
 * more telling than Swarm's "rollback completed", else Swarm's message.
 */
/** Why Swarm rolled back when the failed spec's task ended with exit code 0 (Swarm: `complete`). */
export const ENDED_DURING_UPDATE =
  "a task of this spec ended (exit 0, Swarm says complete) while Swarm monitored the update; a failing health check stops a program so";

export function detectRollback(
  service: ObservedService | undefined,
  tasks: readonly ObservedTask[],
): RolledBack | undefined {
  const status = service?.updateStatus;
  if (!service || !status || !ROLLED_BACK.has(status.state)) return undefined;
  const running = service.fields.labels[LABEL.hash];
  const own = newestTasksFirst(tasks.filter((t) => t.serviceId === service.id));
  const hash = own.find((t) => t.specHash !== undefined && t.specHash !== running)?.specHash;
  if (hash === undefined) return undefined;
  const error = own.find((t) => t.specHash === hash && t.error)?.error;
  if (error !== undefined) return { hash, reason: error };
  // No error: its program exited 0, as one does when a failing health check stops it.
  const ended = own.some((t) => t.specHash === hash && t.state === "complete");
  return { hash, reason: ended ? ENDED_DURING_UPDATE : status.message };
}

/** What the planner does about one app's hold. */
export interface HoldDecision {
  /** Set when the app gets no create, update or scale. */
  held?: HeldApp;
  /** `hold` or `release-hold`, to run before the app's other actions. */
  actions: Action[];
}

export interface HoldInput {
  app: string;
  /** The manifest's spec hash (`desiredFields(...).labels[LABEL.hash]`). */
  desiredHash: string | undefined;
  service: ObservedService | undefined;
  tasks: readonly ObservedTask[];
  record: HoldRecord | undefined;
  /** `apply --retry APP` names this app. */
  retry: boolean;
  instance: string;
}

/**
 * Held when the manifest still asks for the spec Swarm rolled back: the record says so, or the
 * rollback is seen now (then the record is written, replacing an older one). A changed manifest
 * or a retry releases the record and plans the app as usual.
 */
export function decideHold(input: HoldInput): HoldDecision {
  const { app, desiredHash, record } = input;
  if (input.retry) return { actions: record ? [release(record, "retry requested")] : [] };
  const detected = detectRollback(input.service, input.tasks);
  if (record && record.hash === desiredHash)
    return { held: heldApp(app, record.hash, record.reason), actions: [] };
  if (detected && detected.hash === desiredHash) {
    return {
      held: heldApp(app, detected.hash, detected.reason),
      actions: [
        {
          kind: "hold",
          app,
          hash: detected.hash,
          swarmReason: detected.reason,
          instance: input.instance,
          ...(record ? { replaces: record.configId } : {}),
          reason: "rolled back by Swarm",
        },
      ],
    };
  }
  return { actions: record ? [release(record, "manifest changed")] : [] };
}

/** The app's hold record of this instance, by app (the first, should there be two). */
export function holdsByApp(
  holds: readonly HoldRecord[] | undefined,
  instance: string,
): Map<string, HoldRecord> {
  const byApp = new Map<string, HoldRecord>();
  for (const hold of holds ?? []) {
    if ((hold.instance ?? DEFAULT_INSTANCE) === instance && !byApp.has(hold.app)) byApp.set(hold.app, hold);
  }
  return byApp;
}

/**
 * Records of apps that are gone: no manifest defines them and their service is gone or removed
 * by this plan. An app whose file fails to parse, or whose removal a guard holds back, keeps its
 * record, as it keeps its service.
 */
export function releaseRemovedHolds(
  holds: ReadonlyMap<string, HoldRecord>,
  stillThere: (app: string) => boolean,
): Action[] {
  return [...holds.values()]
    .filter((record) => !stillThere(record.app))
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0))
    .map((record) => release(record, "app removed"));
}

export function heldMessage(app: string, reason: string): string {
  return (
    `held: the manifest's spec was rolled back by Swarm (${reason}); ` +
    `change the manifest or retry with \`alacrity apply --retry ${app}\``
  );
}

const heldApp = (app: string, hash: string, swarmReason: string): HeldApp => ({
  app,
  hash,
  swarmReason,
  message: heldMessage(app, swarmReason),
});

const release = (
  record: HoldRecord,
  reason: "retry requested" | "manifest changed" | "app removed",
): Action => ({
  kind: "release-hold",
  app: record.app,
  configId: record.configId,
  reason,
});
