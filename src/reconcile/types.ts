import type { Rejection } from "../rules/rule.js";
import type { SourcePosition } from "../manifest/types.js";
import type { ContentValue, NetworkFields, RecordedStorage, ServiceFields } from "../swarm/types.js";

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
 * - `app removed`: the app is no longer defined by any manifest;
 * - `joins the default network`: a service made before AlaCrity managed networks joins
 *   `alacran--default`, its manifest unchanged;
 * - `taken over from its stack`: `apply --adopt-stack` makes a stack's service an app's, in place;
 * - `content changed`: only the value of a secret or config the app mounts changed;
 * - `rolled back by Swarm`: a hold record is written for the spec Swarm rolled back;
 * - `retry requested`: `apply --retry APP` releases a hold and applies the held spec again;
 * - `storage recorded`: a pin record learns a volume or host directory its app mounts;
 * - for networks, secrets and configs (`ResourceAction`): `needed by an app`, `declared` (a
 *   Network document), `no longer used`, `options changed: re-created`.
 */
export type ActionReason =
  | "new app"
  | "manifest changed"
  | "drift corrected"
  | "pin restored"
  | "scaled back: persistent apps run at most one replica"
  | "app removed"
  | "pin requested"
  | "explicit move"
  | "needed by an app"
  | "declared"
  | "no longer used"
  | "options changed: re-created"
  | "content changed"
  | "joins the default network"
  | "taken over from its stack"
  | "rolled back by Swarm"
  | "retry requested"
  | "storage recorded";

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
      /** The volumes and host directories recorded with the pin (`alacrity data` lists them). */
      storage?: RecordedStorage;
      /** With `replaces`: the old node and what the app kept there, recorded as left behind. */
      leaves?: { nodeId: string; hostname: string; storage: RecordedStorage };
      reason: ActionReason;
    }
  /**
   * Adds what the app mounts now to its pin record's storage (every volume and host directory
   * it had on its node stays recorded, so `alacrity data` can list what it left behind).
   */
  | {
      kind: "record-storage";
      app: string;
      configId: string;
      version: number;
      storage: RecordedStorage;
      /** What is recorded for the first time. */
      added: RecordedStorage;
      reason: ActionReason;
    }
  | {
      kind: "create";
      app: string;
      fields: ServiceFields;
      /** The Swarm name, when `spec.serviceName` gives one other than the app's. */
      serviceName?: string;
      reason: ActionReason;
      /** Persistent apps: the node the app is pinned to (set by the planner). */
      node?: PlannedNode;
    }
  | {
      kind: "update";
      app: string;
      serviceId: string;
      /**
       * The Swarm name, when it is not the app's: the service's own (Swarm cannot rename one), or
       * with `recreate`, the new `spec.serviceName`.
       */
      serviceName?: string;
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
      /**
       * Swarm cannot change a service's mode (replicated ↔ global): the executor removes the
       * service and creates it again (non-persistent apps only; the schema refuses a global
       * persistent app).
       */
      recreate?: boolean;
      /**
       * Archive the app's data first (`alacrity.dev/backup-before-update` on a persistent app
       * whose update restarts it); the executor makes no update when the backup fails.
       */
      backupFirst?: boolean;
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
  | { kind: "remove"; app: string; serviceId: string; reason: ActionReason }
  /** Records that Swarm rolled back the spec of `hash` (see `HoldRecord`). */
  | {
      kind: "hold";
      app: string;
      hash: string;
      /** Swarm's reason. */
      swarmReason: string;
      /** The instance the record is labelled with (`PlanOptions.instance`). */
      instance: string;
      /** The config ID of the app's older hold record, removed first. */
      replaces?: string;
      reason: ActionReason;
    }
  /** Removes a hold record: the manifest changed, a retry was asked for, or the app is gone. */
  | { kind: "release-hold"; app: string; configId: string; reason: ActionReason };

export type ActionKind = Action["kind"];

/**
 * What apps need besides their services: networks, secrets and configs. Kept apart from the
 * per-app actions: `Plan.setup` runs before them (an app's network and secret exist before its
 * service refers to them), `Plan.cleanup` after (an old secret goes once no service uses it).
 */
export type ResourceAction =
  | {
      kind: "create-network";
      /** The document's `metadata.name` (`default` for the default network). */
      resource: string;
      network: NetworkFields;
      reason: ActionReason;
    }
  | { kind: "remove-network"; resource: string; networkId: string; name: string; reason: ActionReason }
  | {
      kind: "create-content";
      of: "secret" | "config";
      resource: string;
      name: string;
      labels: Record<string, string>;
      /** Prints as `(hidden)`: a plan and a log line show that it changed, never what to. */
      value: ContentValue;
      reason: ActionReason;
    }
  | {
      kind: "remove-content";
      of: "secret" | "config";
      resource: string;
      id: string;
      name: string;
      reason: ActionReason;
    };

export type ResourceActionKind = ResourceAction["kind"];

/** The rule a rejected app broke, and the rejection (defined with the rules, src/rules/). */
export type { RuleId as RejectionRule, Rejection } from "../rules/rule.js";

export interface PlanWarning {
  app?: string;
  message: string;
}

/**
 * An app whose manifest spec Swarm rolled back: it gets no update until the manifest changes or
 * `apply --retry APP`; its service keeps running the spec Swarm went back to.
 */
/** An app under a backup, restore or move: the planner leaves it alone. */
export interface BusyApp {
  app: string;
  operation: "backup" | "restore" | "move";
  /** `stopped by \`alacrity backup db\` (host 4242) since …; that command starts it again …`. */
  message: string;
}

export interface HeldApp {
  app: string;
  /** The held spec's hash (the manifest's, unchanged since the rollback). */
  hash: string;
  /** Swarm's reason for the rollback. */
  swarmReason: string;
  /**
   * What plan, status and logs say: `held: the manifest's spec was rolled back by Swarm
   * (<reason>); change the manifest or retry with \`alacrity apply --retry <app>\``.
   */
  message: string;
}

export interface Plan {
  /** In execution order; per app, a `pin` precedes its `create`/`update`. */
  actions: Action[];
  rejections: Rejection[];
  warnings: PlanWarning[];
  /** Removals held back by the empty-directory or mass-prune guards. */
  heldBack: Action[];
  /** Apps held because Swarm rolled back their manifest's spec (absent: none). */
  held?: HeldApp[];
  /**
   * Apps stopped by `alacrity backup`, `restore` or `move`, given no action until that command
   * ends (absent: none).
   */
  busy?: BusyApp[];
  /** Networks, secrets and configs to create before the actions run (absent: none). */
  setup?: ResourceAction[];
  /** Networks, secrets and configs to remove after them (absent: none). */
  cleanup?: ResourceAction[];
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
  /**
   * The Swarm node ID of the Docker engine the controller talks to, whose volumes
   * `ObservedState.volumes` lists: read at the edge, only when an app mounts an external volume.
   * An external volume of an app pinned to this node is checked; on any other node (or when this
   * is absent) the plan warns that it could not be.
   */
  engineNodeId?: string;
  /** Git revision the manifests come from, recorded as a label when set. */
  revision?: string;
  /**
   * The content of each Secret and Config document, read at the edge (src/content/) before
   * planning: by document name. A document missing here, or resolved to an error, rejects the
   * apps that use it; no app is planned against content that could not be read.
   */
  contents?: ResolvedContents;
  /** Apps whose hold is released and whose held spec is applied again (`apply --retry APP`). */
  retry?: ReadonlySet<string>;
  /**
   * `apply --adopt-stack NAME`: an app whose `spec.serviceName` names an unmanaged service of
   * stack NAME (label `com.docker.stack.namespace`) takes that service over in place instead of
   * being refused as a conflict.
   */
  adoptStack?: string;
}

/** A Secret's or Config's content as read from its source, or why it could not be. */
export type ResolvedContent =
  | { ok: true; sha256: string; value: ContentValue }
  | { ok: true; external: string }
  | { ok: false; message: string; at: SourcePosition };

export interface ResolvedContents {
  secrets: ReadonlyMap<string, ResolvedContent>;
  configs: ReadonlyMap<string, ResolvedContent>;
}

/** Annotations users set on an app to allow changes that could lose data (defined with the schema). */
export { ANNOTATION } from "../manifest/annotations.js";
