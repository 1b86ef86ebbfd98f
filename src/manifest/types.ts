/** A position in a manifest file, 1-based like editors show it. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a manifest, printed as `FILE:LINE:COL: path: message`. */
export interface ManifestError extends SourcePosition {
  /** Dotted field path, e.g. `spec.volumes[0].hostPath`; empty for file-level problems. */
  path: string;
  message: string;
}

export interface PortSpec {
  target: number;
  published?: number;
  protocol: "tcp" | "udp";
}

export type VolumeSpec =
  | { kind: "named"; name: string; containerPath: string; readOnly: boolean }
  | { kind: "host"; hostPath: string; containerPath: string; readOnly: boolean }
  /** An existing Docker volume by its full name, no prefix: a compose stack's `<stack>_<volume>`. */
  | { kind: "external"; name: string; containerPath: string; readOnly: boolean };

/** CPU (nano-CPUs, Swarm's unit) and memory (bytes); an absent amount is not limited or reserved. */
export interface ResourceAmounts {
  nanoCpus?: number;
  memoryBytes?: number;
}

export interface ResourceSpec {
  limits?: ResourceAmounts;
  reservations?: ResourceAmounts;
}

/** An app's place on a network (`spec.networks`): the network's `metadata.name`, extra DNS names. */
export interface AppNetwork {
  name: string;
  aliases: string[];
}

/**
 * A secret or config an app mounts (`spec.secrets`, `spec.configs`). `target` is filled in by
 * the parser: `/run/secrets/<name>` for a secret, `/<name>` for a config (Docker's defaults).
 * uid and gid are strings as Swarm takes them; mode is the file mode (default 0444).
 */
export interface AppFileRef {
  name: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

/** Where a Secret's or Config's content comes from: exactly one source per document. */
export type ContentSource =
  /** A file relative to the manifest file, given here relative to the apps directory (`/`). */
  | { kind: "file"; path: string }
  /** The controller's environment variable of that name. */
  | { kind: "env"; variable: string }
  /** An existing Swarm secret or config of that name, used as it is. */
  | { kind: "external"; name: string }
  /** Config only: the content written in the manifest. */
  | { kind: "data"; data: string };

/** What every kind of document has: its name, its file and where its fields are. */
export interface DocumentBase {
  name: string;
  labels: Record<string, string>;
  /** Relative to the apps directory, with forward slashes (as `AppSpec.file`). */
  file: string;
  source: SourcePosition;
  positions: Record<string, SourcePosition>;
}

/** A `kind: Network` document. An external network is used as it is, never created or removed. */
export interface NetworkSpec extends DocumentBase {
  internal: boolean;
  attachable: boolean;
  encrypted: boolean;
  /**
   * The existing Swarm network an external document stands for: `metadata.name` for
   * `external: true`, the string given otherwise (`external: shop_default`). Absent: AlaCrity
   * manages the network `alacran--<name>`.
   */
  external?: string;
}

/** A `kind: Secret` document. */
export interface SecretSpec extends DocumentBase {
  from: ContentSource;
}

/** A `kind: Config` document. */
export interface ConfigSpec extends DocumentBase {
  from: ContentSource;
}

export type DocumentKind = "App" | "Network" | "Secret" | "Config";

/*
 * Health, update, restart and placement (issue 17). Durations are nanoseconds, Swarm's unit, as
 * parsed from `30s`, `1m30s`; an absent field is Swarm's default (or AlaCrity's, where README says).
 */

/** `spec.healthcheck`. */
export interface HealthcheckSpec {
  /**
   * As Swarm takes it: `["CMD", arg...]` for a list, `["CMD-SHELL", text]` for a string run by the
   * shell, `["NONE"]` for `healthcheck: none` (disables the image's own check).
   */
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  retries?: number;
  startPeriodNs?: number;
}

/** What Swarm does when an updated task fails: `rollback` is AlaCrity's default for updates. */
export type FailureAction = "rollback" | "pause" | "continue";

export type UpdateOrder = "stop-first" | "start-first";

/** `spec.update` and `spec.rollback` (a rollback's failureAction is `pause` or `continue`). */
export interface UpdatePolicySpec {
  parallelism?: number;
  delayNs?: number;
  failureAction?: FailureAction;
  monitorNs?: number;
  /** 0 to 1. */
  maxFailureRatio?: number;
  /** Non-persistent apps only: a persistent app is always stop-first. */
  order?: UpdateOrder;
}

/** `spec.restart`. */
export interface RestartPolicySpec {
  condition?: "any" | "on-failure" | "none";
  delayNs?: number;
  maxAttempts?: number;
  windowNs?: number;
}

/** `spec.placement`, non-persistent apps only (a persistent app's placement is its pin). */
export interface PlacementSpec {
  /** Swarm constraint expressions as written, e.g. `node.labels.zone==eu`. */
  constraints: string[];
  /** `spread` descriptors, in order, e.g. `node.labels.zone`. */
  preferences: string[];
  /** At most this many tasks on one node; absent: unlimited. */
  maxReplicasPerNode?: number;
}

/** A validated app manifest plus where it came from. */
export interface AppSpec {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  image: string;
  persistent: boolean;
  replicas: number;
  /** Persistent apps only: hostname or node ID to pin to. */
  node?: string;
  /** `spec.serviceName`: the Swarm service name when it is not `name` (see `swarmNameOf`). */
  serviceName?: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  ports: PortSpec[];
  volumes: VolumeSpec[];
  /** Absent when the manifest sets no resources. */
  resources?: ResourceSpec;
  /** `spec.networks` as listed; empty or absent: the app joins the default network only. */
  networks?: AppNetwork[];
  /** `spec.endpointMode`; absent is Swarm's default, vip. */
  endpointMode?: "vip" | "dnsrr";
  secrets?: AppFileRef[];
  configs?: AppFileRef[];
  /** `spec.healthcheck`; absent: the image's own check, if it has one. */
  healthcheck?: HealthcheckSpec;
  update?: UpdatePolicySpec;
  rollback?: UpdatePolicySpec;
  restart?: RestartPolicySpec;
  /** `spec.stopGracePeriod`; absent: 60 s for a persistent app, Swarm's 10 s otherwise. */
  stopGracePeriodNs?: number;
  /** `spec.mode`; absent is replicated. A global app's `replicas` is unused (the schema refuses it). */
  mode?: "replicated" | "global";
  placement?: PlacementSpec;
  /**
   * The manifest file relative to the apps directory, with forward slashes: stored in the
   * `alacrity.file` label and compared with `DesiredState.failedFiles`, so it must not depend on
   * how the directory was named on the command line.
   */
  file: string;
  /** Where the document starts (the `apiVersion` line or the document start). */
  source: SourcePosition;
  /**
   * Positions of the values of fields, keyed by field path (`metadata.name`, `spec.replicas`,
   * `spec.node`, `spec.volumes[0].name`, ...), so later stages can point at them.
   */
  positions: Record<string, SourcePosition>;
}

/** A document that failed validation, with its name (and kind) when they could be read. */
export interface InvalidApp {
  name?: string;
  /** The document's kind when it could be read; absent means App (documents of old caches). */
  kind?: DocumentKind;
  file: string;
  errors: ManifestError[];
}

/** The result of reading a whole apps directory. */
export interface DesiredState {
  /** Valid apps by name. */
  apps: Map<string, AppSpec>;
  /** Valid Network, Secret and Config documents by name (absent: none declared). */
  networks?: Map<string, NetworkSpec>;
  secrets?: Map<string, SecretSpec>;
  configs?: Map<string, ConfigSpec>;
  /**
   * What each Secret's and Config's source held when the state was loaded, as a digest or an
   * error text, by `secret:NAME` / `config:NAME`: set at the edge that reads them (src/content/),
   * so a daemon sees that a secret file changed although no manifest did. Never a value.
   */
  contentVersions?: ReadonlyMap<string, string>;
  /**
   * The files (relative to the apps directory) the Secret and Config documents read: content, not
   * manifests, so the loader does not parse them and a watcher reloads when one changes.
   */
  contentFiles?: ReadonlySet<string>;
  /** Documents that failed validation (their apps must be kept as they are). */
  invalid: InvalidApp[];
  /** Every error, file-level ones included, sorted by file, line, col. */
  errors: ManifestError[];
  /**
   * Files (relative to the apps directory, as stored in the `alacrity.file` label) that had any
   * error, and directories the load could not or would not walk ("." for the whole directory):
   * a managed service last defined by such a file, or by a file in such a directory, is never
   * pruned (see `inFailedFile`).
   */
  failedFiles: Set<string>;
  /** Number of manifest files found; 0 when the directory is empty or missing. */
  fileCount: number;
  /** True when the directory does not exist. */
  missing: boolean;
}

export function formatError(e: ManifestError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.path ? `${e.path}: ` : ""}${e.message}`;
}
