import type { Logger } from "pino";
import type { DesiredState } from "../manifest/types.js";
import { changedApps } from "./desiredDiff.js";
import type { FindingsLog } from "./findingsLog.js";
import type { ObservedCache } from "./observedCache.js";

export interface ManifestIntakeOptions {
  /** Reads the whole apps directory (never throws for bad manifests: they are in `errors`). */
  loadDesired(): Promise<DesiredState>;
  /** Starts watching the manifests; optional (without it, only resyncs reload them). */
  watchManifests?:
    ((onChange: () => void, onBurstStart?: () => void) => Promise<{ close(): Promise<void> }>) | undefined;
  /** Orders the reloads against the snapshots, and reads one ahead of the changed apps' reconciles. */
  observed: ObservedCache;
  /** Queues an app whose spec changed; its reconcile must see a snapshot newer than `notBefore`. */
  enqueue(name: string, notBefore: number | undefined): void;
  findings: FindingsLog;
  logger: Logger;
}

/**
 * The desired state: loads the manifests (serialised, so loads never race), keeps the last loaded
 * state when a load fails, and on a watched change enqueues only the apps whose spec changed.
 */
export class ManifestIntake {
  readonly #options: ManifestIntakeOptions;
  readonly #log: Logger;
  #desired: DesiredState | undefined;
  #reloading: Promise<void> = Promise.resolve();
  /** The sequence of the current burst of manifest changes, once its snapshot was started. */
  #burstSeq: number | undefined;
  #watch: { close(): Promise<void> } | undefined;
  #watchStarting: Promise<void> = Promise.resolve();
  #stopping = false;

  constructor(options: ManifestIntakeOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** The state as last loaded; undefined before the first load. */
  get desired(): DesiredState | undefined {
    return this.#desired;
  }

  /** Settles when the loads started so far are done. */
  get reloading(): Promise<void> {
    return this.#reloading;
  }

  /** Starts the manifest watch, if there is one. */
  startWatch(): Promise<void> {
    this.#watchStarting = this.#startWatch();
    return this.#watchStarting;
  }

  /** Stops reacting to changes and closes the watch; loads in flight end on their own. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#watchStarting;
    await this.#watch?.close();
  }

  /**
   * Loads the manifests; with `enqueueChanges`, enqueues the apps whose spec changed.
   * `notBefore`: the sequence of the change, when a snapshot was started for it already.
   */
  reload(
    reason: string,
    options: { enqueueChanges: boolean; notBefore?: number | undefined } = { enqueueChanges: true },
  ): Promise<void> {
    const { observed } = this.#options;
    // Without a burst start (a resync), the snapshot for the changed apps is started now, read
    // while the directory is reloaded instead of after.
    const notBefore =
      options.enqueueChanges && this.#desired !== undefined
        ? (options.notBefore ?? observed.mark())
        : undefined;
    if (notBefore !== undefined && !this.#stopping) {
      // Failures are logged and counted by the cache's owner; the reconcile observes again.
      observed.get(notBefore).catch(() => undefined);
    }
    const run = this.#reloading.then(async () => {
      if (this.#stopping) return;
      let next: DesiredState;
      try {
        next = await this.#options.loadDesired();
      } catch (error) {
        this.#log.error(
          { err: error, reason },
          "could not load the manifests; keeping the last loaded state",
        );
        return;
      }
      const previous = this.#desired;
      this.#desired = next;
      this.#options.findings.manifests(next);
      if (!previous || !options.enqueueChanges) return;
      const changed = changedApps(previous, next);
      if (changed.size > 0) this.#log.info({ reason, apps: [...changed].sort() }, "manifests changed");
      for (const name of changed) this.#options.enqueue(name, notBefore);
    });
    this.#reloading = run;
    return run;
  }

  async #startWatch(): Promise<void> {
    if (!this.#options.watchManifests) return;
    try {
      const watch = await this.#options.watchManifests(
        () => {
          const burst = this.#burstSeq;
          this.#burstSeq = undefined;
          void this.reload("manifests changed", { enqueueChanges: true, notBefore: burst });
        },
        () => this.#burstStarted(),
      );
      // A stop that came while the watch was starting could not close it: its open handles
      // would keep the process alive after a SIGTERM until the forced exit.
      if (this.#stopping) await watch.close();
      else this.#watch = watch;
    } catch (error) {
      // Without the watch, the periodic resync still picks changes up, only later.
      this.#log.error({ err: error }, "could not watch the manifests; relying on the periodic resync");
    }
  }

  /**
   * The first manifest change of a burst: the apps it changes must be reconciled against a
   * snapshot started after the change, and one started now is. Reading it while the watcher waits
   * for the burst to end and the directory reloads takes the observe off the edit → update path.
   * Only once the first state is loaded (a start-up resync observes on its own).
   */
  #burstStarted(): void {
    if (this.#stopping || this.#desired === undefined || this.#burstSeq !== undefined) return;
    const seq = this.#options.observed.mark();
    this.#burstSeq = seq;
    // Failures are logged and counted by the cache's owner; the reconcile observes again.
    this.#options.observed.get(seq).catch(() => undefined);
  }
}
