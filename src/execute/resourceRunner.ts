import type { Logger } from "pino";
import { systemClock, type Clock } from "../domain/clock.js";
import type { Action, ResourceAction } from "../reconcile/types.js";
import type { ServiceFields } from "../swarm/types.js";

/** What running resource actions needs from the Swarm; the real one is in src/swarm. */
export interface ResourcePort {
  executeResource(action: ResourceAction): Promise<void>;
  describeError(err: unknown): string;
}

export interface ResourceOutcome {
  action: ResourceAction;
  ok: boolean;
  error?: string;
  durationMs: number;
}

/**
 * The Swarm object a resource action is about, as `network:NAME`, `secret:NAME` or `config:NAME`:
 * the key that ties a network's re-creation (remove, then create) together and an app's fields to
 * what they need.
 */
export function resourceKey(action: ResourceAction): string {
  switch (action.kind) {
    case "create-network":
      return `network:${action.network.name}`;
    case "remove-network":
      return `network:${action.name}`;
    case "create-content":
    case "remove-content":
      return `${action.of}:${action.name}`;
  }
}

/** The keys (see `resourceKey`) of the networks, secrets and configs a service's fields use. */
export function neededKeys(fields: ServiceFields): string[] {
  return [
    ...(fields.networks ?? []).map((n) => `network:${n.network}`),
    ...(fields.secrets ?? []).map((s) => `secret:${s.source}`),
    ...(fields.configs ?? []).map((c) => `config:${c.source}`),
  ];
}

/** The keys the create and update actions of one app need. */
export function neededByActions(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.kind === "create" || a.kind === "update" ? neededKeys(a.fields) : []));
}

/**
 * Runs a plan's setup (before the apps' actions) and cleanup (after them). Each object's setup
 * runs once however many apps need it, even when they ask at the same time: the first asker starts
 * it, the others wait for the same result. An app whose network, secret or config could not be made
 * fails with that reason, and the apps that need nothing of it go on.
 */
export class ResourceRunner {
  readonly #port: ResourcePort;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #okLevel: "info" | "debug";
  readonly #onOutcome: (outcome: ResourceOutcome) => void;
  readonly #byKey = new Map<string, ResourceAction[]>();
  readonly #running = new Map<string, Promise<string | undefined>>();

  constructor(options: {
    port: ResourcePort;
    setup: readonly ResourceAction[];
    logger: Logger;
    clock?: Clock;
    /** Level of the line logged for each action that succeeds (see `AppExecutorOptions.okLevel`). */
    okLevel?: "info" | "debug";
    onOutcome?: (outcome: ResourceOutcome) => void;
  }) {
    this.#okLevel = options.okLevel ?? "info";
    this.#port = options.port;
    this.#log = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#onOutcome = options.onOutcome ?? (() => undefined);
    for (const action of options.setup) {
      const key = resourceKey(action);
      const list = this.#byKey.get(key);
      if (list) list.push(action);
      else this.#byKey.set(key, [action]);
    }
  }

  /** Runs the setup of every key; resolves to the failures by key. */
  async all(): Promise<Map<string, string>> {
    return this.ensure([...this.#byKey.keys()]);
  }

  /** Runs the setup of `keys` (those the plan has); resolves to the failures among them. */
  async ensure(keys: Iterable<string>): Promise<Map<string, string>> {
    const wanted = [...new Set(keys)].filter((key) => this.#byKey.has(key));
    const results = await Promise.all(wanted.map((key) => this.#once(key)));
    const failures = new Map<string, string>();
    wanted.forEach((key, i) => {
      const error = results[i];
      if (error !== undefined) failures.set(key, error);
    });
    return failures;
  }

  /** Runs cleanup actions one by one; a failure is logged and the rest still run. */
  async cleanup(actions: readonly ResourceAction[]): Promise<ResourceOutcome[]> {
    const outcomes: ResourceOutcome[] = [];
    for (const action of actions) outcomes.push(await this.#run(action));
    return outcomes;
  }

  #once(key: string): Promise<string | undefined> {
    let running = this.#running.get(key);
    if (!running) {
      running = (async () => {
        for (const action of this.#byKey.get(key) ?? []) {
          const outcome = await this.#run(action);
          if (!outcome.ok) return outcome.error;
        }
        return undefined;
      })();
      this.#running.set(key, running);
    }
    return running;
  }

  async #run(action: ResourceAction): Promise<ResourceOutcome> {
    const started = this.#clock.now();
    let outcome: ResourceOutcome;
    try {
      await this.#port.executeResource(action);
      outcome = { action, ok: true, durationMs: this.#clock.now() - started };
      this.#log[this.#okLevel](
        { ...summary(action), result: "ok", durationMs: outcome.durationMs },
        `${action.kind} done`,
      );
    } catch (err) {
      const error = this.#port.describeError(err);
      outcome = { action, ok: false, error, durationMs: this.#clock.now() - started };
      this.#log.warn(
        { ...summary(action), result: "failed", durationMs: outcome.durationMs, error },
        `${action.kind} failed`,
      );
    }
    this.#onOutcome(outcome);
    return outcome;
  }
}

/** What a log line says of an action: never its value. */
function summary(action: ResourceAction): Record<string, string> {
  const name = action.kind === "create-network" ? action.network.name : action.name;
  return { action: action.kind, resource: action.resource, name, reason: action.reason };
}

/** "cannot create network alacran--x: ..." for the apps that needed a failed key. */
export function missingResourceMessage(failures: ReadonlyMap<string, string>): string {
  return [...failures]
    .map(([key, error]) => {
      const [kind, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      return `cannot set up ${kind} ${name}: ${error}`;
    })
    .join("; ");
}
