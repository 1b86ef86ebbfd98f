/**
 * The names AlaCrity gives what it creates on a Swarm: service labels, volume names and pin
 * records. They are part of the contract (CONTRACT.md), shared by the planner that decides them
 * and the Swarm layer that writes and reads them, so they belong to neither.
 */

/** Labels AlaCrity puts on what it creates. */
export const LABEL = {
  managed: "alacrity.managed",
  app: "alacrity.app",
  hash: "alacrity.hash",
  file: "alacrity.file",
  persistent: "alacrity.persistent",
  pinNode: "alacrity.pin.node",
  pinHostname: "alacrity.pin.hostname",
  /**
   * On a pin record: the Docker volumes (JSON list of names) and host directories (JSON list of
   * paths) the app has mounted on its node, every one it had since it was pinned there, so that
   * `alacrity data` knows what it left behind after a change or its removal.
   */
  pinVolumes: "alacrity.pin.volumes",
  pinHostPaths: "alacrity.pin.host-paths",
  /** On a left-behind record (`leftConfigName`): "true". */
  leftRecord: "alacrity.left",
  revision: "alacrity.revision",
  pinRecord: "alacrity.pin",
  /** Which AlaCrity instance manages the service (several may share one Swarm). */
  instance: "alacrity.instance",
  /** On a managed network, secret or config: the `metadata.name` of its document. */
  resource: "alacrity.resource",
  /** On a managed network: the hash of the options it was created with (driver, internal, ...). */
  networkHash: "alacrity.network-hash",
  /** On a container (ContainerSpec.Labels): the spec hash its task was started from. */
  taskHash: "alacrity.task-hash",
  /** On a hold record: "true" (see `holdConfigName`). */
  holdRecord: "alacrity.hold",
  /** On a hold record: the `alacrity.hash` of the spec Swarm rolled back. */
  heldHash: "alacrity.held-hash",
  /** On a hold record: Swarm's reason for the rollback. */
  heldReason: "alacrity.held-reason",
  /**
   * On a maintenance record (`maintenanceConfigName`): the operation that has the app stopped,
   * `backup`, `restore` or `move`. The planner leaves such an app alone until the record goes.
   */
  maintenance: "alacrity.maintenance",
  /** On a maintenance record: who runs it, `<hostname> <pid>`, so a rerun knows a dead one. */
  maintenanceBy: "alacrity.maintenance.by",
  /** On a maintenance record: when it began (ISO 8601). */
  maintenanceSince: "alacrity.maintenance.since",
  /** On a maintenance record: the replica count to start the app with again. */
  maintenanceReplicas: "alacrity.maintenance.replicas",
  /** On the maintenance record of a move: the ID of the node the app is being moved to. */
  maintenanceTo: "alacrity.maintenance.to",
  /** On a one-shot helper job's service: what it does (`backup`, `restore`, `copy`). */
  job: "alacrity.job",
} as const;

/**
 * The controller's own annotations on an app (the schema accepts them; the planner reads them). Each takes exactly "true" or "false"; anything else is refused by the schema, so
 * a "yes" is never silently read as "no".
 */
export const ANNOTATION = {
  /** `"true"`: move a pinned persistent app to the node `spec.node` names (its data does not move). */
  allowMove: "alacrity.dev/allow-move",
  /** `"true"`: turn a persistent app into a non-persistent one. */
  allowDropPersistence: "alacrity.dev/allow-drop-persistence",
  /**
   * `"true"`: before an update that restarts a persistent app, `apply` and `run` archive its data
   * as `alacrity backup` does (into `--backup-dir`); the update is not made when that fails.
   */
  backupBeforeUpdate: "alacrity.dev/backup-before-update",
} as const;

const OWN_LABELS: ReadonlySet<string> = new Set(Object.values(LABEL));

/** Whether a label key is one of AlaCrity's own (bookkeeping, not the user's `metadata.labels`). */
export const isOwnLabel = (key: string): boolean => OWN_LABELS.has(key);

/**
 * The Swarm name of an app's service: `metadata.name`, or `spec.serviceName` for a service taken
 * over in place from a stack (Swarm cannot rename a service, and stack deploy names it
 * `<stack>_<service>`).
 */
export const swarmNameOf = (app: { name: string; serviceName?: string }): string =>
  app.serviceName ?? app.name;

/** The Docker volume name of a label-based volume. */
export const volumeName = (name: string): string => `alacran--${name}`;

/** The label `docker stack deploy` puts on what it creates: the stack's name (not ours: Docker's). */
export const STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";

/** The network every app joins unless it lists its own (`spec.networks`). */
export const DEFAULT_NETWORK = "default";

/** The Swarm network of a declared, non-external network (and of `DEFAULT_NETWORK`). */
export const networkName = (name: string): string => `alacran--${name}`;

/** How many hex digits of the content hash a secret's or config's Swarm name carries. */
export const CONTENT_HASH_DIGITS = 12;

/**
 * The Swarm name of a secret's or config's content: Swarm cannot change either, so a new value
 * is a new object, and the services using it are updated to the new name.
 */
export const contentName = (name: string, sha256Hex: string): string =>
  `alacran--${name}--${sha256Hex.slice(0, CONTENT_HASH_DIGITS)}`;

/** The Swarm config name that records an app's held (rolled back) spec. */
export const holdConfigName = (app: string): string => `alacrity-hold--${app}`;

/**
 * The Swarm config name that records what an app left on a node it was moved away from: the
 * replaced pin's storage, so `alacrity data` still lists it (12 digits of the node ID, as Docker
 * shortens IDs).
 */
export const leftConfigName = (app: string, nodeId: string): string =>
  `alacrity-left--${app}--${nodeId.slice(0, 12)}`;

/** The Swarm config name that marks an app stopped for a backup, restore or move. */
export const maintenanceConfigName = (app: string): string => `alacrity-maintenance--${app}`;

/** The Swarm config name that holds an app's pin. */
export const pinConfigName = (app: string): string => `alacrity-pin--${app}`;
