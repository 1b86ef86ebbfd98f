import type { Findings } from "./findings.js";
import type { Tree } from "./values.js";

/** What the conversion needs besides the compose document; all of it given, none of it read. */
export interface ConvertOptions {
  /** `--stack NAME`: the stack the file was deployed as, whose volumes, networks and secrets are kept. */
  stack?: string;
  /** Absolute: the first compose file's directory, which relative paths are resolved against (as stack deploy does). */
  projectDir: string;
  /** Absolute: where the manifests are written (secret and config files must lie inside it). */
  outDir: string;
  /** The environment a value-less `environment` entry is taken from (as stack deploy does). */
  env: Readonly<Record<string, string | undefined>>;
  /** The `env_file` files, read by the caller (see `envFilePaths`): absolute path → text or why not. */
  envFiles: ReadonlyMap<string, { text: string } | { error: string }>;
  /**
   * With `--stack`: where the deployed stack's services run now (compose service name → the
   * hostnames of the nodes with a running task), or why the Swarm could not tell; absent when it
   * was not asked (no `--stack`).
   */
  deployment?: { nodes: ReadonlyMap<string, readonly string[]> } | { unreadable: string };
  /** The data roots host paths may lie under (`--allow-host-path`; default /srv, /mnt, /data). */
  hostPathRoots: readonly string[];
}

/** The state one conversion shares between its parts. */
export interface Context {
  options: ConvertOptions;
  findings: Findings;
  root: Tree;
  /** Compose name → AlaCrity name, per kind. */
  names: {
    apps: Map<string, string>;
    networks: Map<string, string>;
    secrets: Map<string, string>;
    configs: Map<string, string>;
  };
}
