import type { Rejection } from "../rules/rule.js";
import type { ServiceFields } from "../swarm/types.js";

/** One changed field of a service, for `plan` output and logs. Secret values are never shown. */
export interface FieldChange {
  /** e.g. `image`, `env.POSTGRES_PASSWORD`, `replicas`, `constraints`, `mounts`. */
  field: string;
  /** Human-readable old value; `(set)`/`(changed)` for env values, never the value itself. */
  from: string;
  to: string;
}

/**
 * Why an action is planned, so no one has to guess why a service was redeployed:
 * - `new app`: in the manifests, not in the Swarm;
 * - `manifest changed`: what the manifest asks for changed since the last apply (hash label differs);
 * - `drift corrected`: the manifest is unchanged, but the service was changed by hand;
 * - `pin restored`: a persistent app's placement constraint was missing or wrong;
 * - `app removed`: the app is no longer defined by any manifest.
 */
export type ActionReason =
  | "new app"
  | "manifest changed"
  | "drift corrected"
  | "pin restored"
  | "scaled back: persistent apps run at most one replica"
  | "app removed"
  | "pin requested"
  | "explicit move";

/**
 * Why a persistent app goes to its node: its `spec.node`, the node with the fewest pinned apps
 * (the planner's choice, made once), or the pin it already has (its data is there).
 */
export type NodeChoice = "spec.node" | "fewest pinned apps" | "existing pin";

/** The node a persistent app is created on, and why that one. */
export interface PlannedNode {
  nodeId: string;
  hostname: string;
  why: NodeChoice;
}

export type Action =
  | {
      kind: "pin";
      app: string;
      nodeId: string;
      hostname: string;
      /** The config ID of the pin record this one replaces (an explicit, allowed move). */
      replaces?: string;
      reason: ActionReason;
    }
  | {
      kind: "create";
      app: string;
      fields: ServiceFields;
      reason: ActionReason;
      /** Persistent apps: the node the app is pinned to (set by the planner). */
      node?: PlannedNode;
    }
  | {
      kind: "update";
      app: string;
      serviceId: string;
      /** Swarm version index the update was planned against. */
      version: number;
      fields: ServiceFields;
      /** What changes, AlaCrity's own labels left out (see `internalLabels`). */
      changes: FieldChange[];
      reason: ActionReason;
      /**
       * The planner sets these three (restarts.ts, updateDetails.ts). Whether the update makes
       * Swarm replace the app's tasks (a change of placement alone: only those on a node the new
       * constraints exclude), and in which order (`restartOrder`, when it does).
       */
      restarts?: boolean;
      restartOrder?: ServiceFields["updateOrder"];
      /** AlaCrity's own labels that change too (names only; the spec hash and revision are not listed). */
      internalLabels?: string[];
    }
  | {
      kind: "scale";
      app: string;
      serviceId: string;
      version: number;
      from: number;
      to: number;
      reason: ActionReason;
    }
  | { kind: "remove"; app: string; serviceId: string; reason: ActionReason };

export type ActionKind = Action["kind"];

/** The rule a rejected app broke, and the rejection (defined with the rules, src/rules/). */
export type { RuleId as RejectionRule, Rejection } from "../rules/rule.js";

export interface PlanWarning {
  app?: string;
  message: string;
}

export interface Plan {
  /** In execution order; per app, a `pin` precedes its `create`/`update`. */
  actions: Action[];
  rejections: Rejection[];
  warnings: PlanWarning[];
  /** Removals held back by the empty-directory or mass-prune guards. */
  heldBack: Action[];
}

export interface PlanOptions {
  /** Allow removing every managed app when the apps directory is empty or missing. */
  allowEmpty: boolean;
  /** Allow removing more than half of the managed apps (and more than two) in one pass. */
  allowMassPrune: boolean;
  /**
   * The instance name (label `alacrity.instance`, default `default`): a managed service of
   * another instance is treated like an unmanaged one, so several controllers (or test suites)
   * can share one Swarm without pruning each other's apps.
   */
  instance: string;
  /**
   * The data roots host paths may lie under (`--allow-host-path`); the deny-list applies inside
   * them too. Default `DEFAULT_HOST_PATH_ROOTS` (/srv, /mnt, /data); see hostPaths.ts.
   */
  allowHostPaths?: readonly string[];
  /**
   * Host paths with their symlinks resolved, where the controller's machine could resolve them
   * (read at the edge, before planning), so a symlink out of the allowed roots is caught as well.
   */
  resolvedHostPaths?: ReadonlyMap<string, string>;
  /** Host paths the controller could not resolve: each gets a warning in the plan. */
  unseenHostPaths?: ReadonlySet<string>;
  /** Git revision the manifests come from, recorded as a label when set. */
  revision?: string;
}

/** Annotations users set on an app to allow changes that could lose data (defined with the schema). */
export { ANNOTATION } from "../manifest/annotations.js";
