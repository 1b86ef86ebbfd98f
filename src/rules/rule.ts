import type { AppSpec, SourcePosition } from "../manifest/types.js";
import type { ObservedService } from "../swarm/types.js";

/*
 * What every rule of the registry (registry.ts) is: a named, documented check with the message it
 * gives. Rules are pure: they read manifests and observed Swarm state, never Docker itself.
 */

/** The name of every rule, as `rule` in rejections (plan, apply, status, logs, JSON). */
export type RuleId =
  // One app (src/manifest/*Rules.ts): checked by the loader on each document, and again by the planner.
  | "persistent-replicas"
  | "volumes-need-persistence"
  | "node-needs-persistence"
  | "unique-container-paths"
  | "unique-published-ports"
  | "persistent-stop-first"
  | "persistent-not-global"
  | "persistent-placement"
  // One document as written (src/manifest/*Rules.ts), checked by the loader only.
  | "volume-source"
  | "memory-limit-floor"
  | "reservations-within-limits"
  | "global-replicas"
  // All documents of a load (src/manifest/duplicates.ts).
  | "duplicate-app-name"
  // src/rules/.
  | "invalid-manifest"
  | "keep-failed-files"
  | "unmanaged-conflict"
  | "service-rename-refused"
  | "host-path-forbidden"
  | "storage-conflict"
  | "storage-in-use"
  | "external-volume-missing"
  | "persistence-drop-refused"
  | "pin-move-refused"
  | "unknown-node"
  | "no-eligible-node"
  | "empty-directory-guard"
  | "mass-prune-guard"
  | "network-unavailable"
  | "content-unavailable";

/**
 * What a rule needs to be checked:
 * - `document`: one manifest document as written (the loader);
 * - `app`: one app, as a document or as planned (the loader, then the planner);
 * - `documents`: every document of a load (the loader);
 * - `app+policy`: one app and the operator's policy (`validate` and the planner);
 * - `app+service`: one app and the service of its name, if any (the planner);
 * - `app+nodes`: one persistent app, its pin and the Swarm's nodes (the planner's pin choice);
 * - `app+volumes`: one persistent app, the node it is pinned to and the volumes the engine sees;
 * - `apps+services`: every app and every managed service (the planner);
 * - `removals`: the removals a pass would make (the planner's prune);
 * - `app+resources`: one app, the Network, Secret and Config documents and the Swarm's objects.
 */
export type RuleInput =
  | "document"
  | "app"
  | "documents"
  | "app+policy"
  | "app+service"
  | "app+nodes"
  | "app+volumes"
  | "apps+services"
  | "removals"
  | "app+resources";

/** What the registry lists of every rule. Each rule adds its `check`, typed for its input. */
export interface Rule {
  readonly id: RuleId;
  /** What the rule guarantees, in one sentence. */
  readonly title: string;
  /** The clause of CONTRACT.md it implements (`§2.2`), or `extension` for one of ours. */
  readonly contract: string;
  readonly input: RuleInput;
}

/** An app the planner refuses to change; nothing is done for it, the others go on. */
export interface Rejection {
  app: string;
  rule: RuleId;
  /** What is wrong and what to do, without the position (outputs print `position` before it). */
  message: string;
  position?: SourcePosition;
}

/** The planner's options a rule on one app may read (PlanOptions has them all). */
export interface AppRuleOptions {
  /** This controller's instance: a service of another one is not ours to change. */
  instance: string;
  /** The data roots host paths may lie under; undefined means the defaults. */
  allowHostPaths?: readonly string[] | undefined;
  /** Host paths with their symlinks resolved, where the controller could see them. */
  resolvedHostPaths?: ReadonlyMap<string, string> | undefined;
  /** `apply --adopt-stack NAME`: the stack whose unmanaged services apps may take over. */
  adoptStack?: string | undefined;
}

/**
 * A rule the planner checks on each app before storage and placement (registry.ts runs them in
 * order; the first that rejects the app decides). `service` is the observed service of the app's
 * name, if any.
 */
export interface AppPlanRule extends Rule {
  readonly reject: (
    app: AppSpec,
    service: ObservedService | undefined,
    options: AppRuleOptions,
  ) => Rejection | undefined;
}

/** A rule checked at one stage of the planner (pin choice, storage, prune), by its own `check`. */
export interface StageRule extends Rule {
  readonly check: (...input: never[]) => unknown;
}
