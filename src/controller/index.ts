export { Daemon, type DaemonDeps, type DaemonOptions, type DaemonStatus } from "./daemon.js";
export { WorkQueue, backoffDelay, DEFAULT_BACKOFF } from "./workQueue.js";
export type { BackoffOptions, HandlerOutcome, WorkHandler, WorkQueueOptions } from "./workQueue.js";
export { watchManifests, type ManifestWatcher, type ManifestWatcherOptions } from "./manifestWatcher.js";
export { debounce, type Debouncer } from "./debounce.js";
export { changedApps, deepEqual } from "./desiredDiff.js";
export { ControllerMetrics, type ReconcileResult } from "./metrics.js";
export { swarmDaemonDeps, type SwarmDaemonOptions } from "./swarmDeps.js";
