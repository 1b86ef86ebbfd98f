/**
 * Swarm's task states in the order a task goes through them (swarmkit's `TaskState`): every state
 * up to `running` is a task that is or will be running; every one after it, a task that ended
 * and will not run again. A state Swarm adds later is neither, until it is placed here.
 */
const LIFECYCLE = [
  "new",
  "pending",
  "assigned",
  "accepted",
  "preparing",
  "ready",
  "starting",
  "running",
  "complete",
  "shutdown",
  "failed",
  "rejected",
  "remove",
  "orphaned",
] as const;

const RUNNING = LIFECYCLE.indexOf("running");
const LIVE: ReadonlySet<string> = new Set(LIFECYCLE.slice(0, RUNNING + 1));
const ENDED: ReadonlySet<string> = new Set(LIFECYCLE.slice(RUNNING + 1));

/** A task that runs, or is on its way to running. */
export const isLiveTaskState = (state: string | undefined): boolean => LIVE.has(state ?? "");

/** A task that ended: it will not run again. */
export const isEndedTaskState = (state: string | undefined): boolean => ENDED.has(state ?? "");
