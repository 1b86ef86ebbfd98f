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
  | { kind: "host"; hostPath: string; containerPath: string; readOnly: boolean };

/** CPU (nano-CPUs, Swarm's unit) and memory (bytes); an absent amount is not limited or reserved. */
export interface ResourceAmounts {
  nanoCpus?: number;
  memoryBytes?: number;
}

export interface ResourceSpec {
  limits?: ResourceAmounts;
  reservations?: ResourceAmounts;
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
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  ports: PortSpec[];
  volumes: VolumeSpec[];
  /** Absent when the manifest sets no resources. */
  resources?: ResourceSpec;
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

/** A document that failed validation, with its app name when it could be read. */
export interface InvalidApp {
  name?: string;
  file: string;
  errors: ManifestError[];
}

/** The result of reading a whole apps directory. */
export interface DesiredState {
  /** Valid apps by name. */
  apps: Map<string, AppSpec>;
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
