import { posix } from "node:path";
import type { AppSpec, SourcePosition } from "../manifest/types.js";
import type { AppPlanRule, StageRule } from "./rule.js";

/*
 * The host-path policy, in one place for `plan`, `apply`, `run`, `status` and `validate`: a
 * manifest may bind a host directory only under a data root the operator allows, and never one
 * that lies in, or contains, a path that gives a container power over its node. Whoever can
 * merge a manifest must not get root on a node through it.
 */

/** The data roots host paths may lie under when the operator names none (`--allow-host-path`). */
export const DEFAULT_HOST_PATH_ROOTS: readonly string[] = ["/srv", "/mnt", "/data"];

// Most distributions make /var/run a symlink to /run. Both spellings are listed, so the rule
// holds where the controller cannot resolve the symlink (another node, or a container).
const RUN_ENTRIES = ["docker.sock", "docker", "containerd", "systemd/private", "dbus", "user"];

/**
 * Paths no manifest may bind, nor any path under them or containing them, whatever the allowed
 * roots: the Docker, containerd, Podman and kubelet sockets and state control every container;
 * systemd's and D-Bus's sockets start units as root; /run/user holds per-user sockets (rootless
 * Docker's among them); /etc, /root, /home and /boot hold credentials, keys and boot code;
 * /usr, /bin, /sbin and /lib* hold the programs root runs; /var/spool/cron holds jobs cron runs;
 * /var/log can be forged or read for secrets; /proc, /sys and /dev reach the kernel and devices;
 * /var/lib/alacrity is the controller's own state, where a bind could inject manifests.
 * A parent of an entry is refused too: a bind of /var/run hands over /var/run/docker.sock.
 */
export const FORBIDDEN_HOST_PATHS: readonly string[] = [
  "/var/lib/docker",
  "/var/lib/containerd",
  "/var/lib/containers",
  "/var/lib/kubelet",
  "/var/lib/alacrity",
  ...RUN_ENTRIES.flatMap((entry) => [`/run/${entry}`, `/var/run/${entry}`]),
  "/var/spool/cron",
  "/var/log",
  "/etc",
  "/root",
  "/home",
  "/boot",
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib64",
  "/proc",
  "/sys",
  "/dev",
];

/** True when `path` is `prefix` or lies under it. Both are absolute and normalised. */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Normalises a host path as the kernel would resolve its `.`/`..` parts (no symlinks). */
export function normalizeAbsolute(path: string): string {
  const normalized = posix.normalize(`/${path}`);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** What is wrong with one (normalised) path, and how to fix it. */
interface Problem {
  why: string;
  fix: string;
}

/** The deny-list rule: the path lies in a forbidden path or contains one. */
function forbidden(path: string): string | undefined {
  if (path === "/") return "it is / (the whole file system of the node)";
  const inside = FORBIDDEN_HOST_PATHS.find((entry) => isUnder(path, entry));
  if (inside !== undefined) return inside === path ? `it is ${inside}` : `it lies in ${inside}`;
  const contained = FORBIDDEN_HOST_PATHS.find((entry) => isUnder(entry, path));
  return contained === undefined ? undefined : `it contains ${contained}`;
}

function problemOf(path: string, roots: readonly string[]): Problem | undefined {
  const listed = roots.length > 0 ? roots.join(", ") : "none";
  const denied = forbidden(path);
  if (denied !== undefined) {
    return {
      why: `${denied}, which would give the app control of the node`,
      fix: `bind a directory under ${roots[0] ?? "an allowed data root"} instead`,
    };
  }
  const root = roots.find((r) => r === path);
  if (root !== undefined) {
    // A root holds other apps' directories and whatever else the operator keeps there.
    return {
      why: `it is the data root ${root} itself, which holds other apps' data`,
      fix: `bind a directory inside it, such as ${root}/<app>`,
    };
  }
  if (roots.some((r) => isUnder(path, r))) return undefined;
  return {
    why: `it is not under an allowed data root (${listed})`,
    fix: "move the data there or let the operator allow its root with --allow-host-path ROOT",
  };
}

/**
 * Why binding `path` is refused, or undefined when it may be bound. `resolved` is the path with
 * its symlinks resolved, when the controller could see it: it must pass the same rules, so a
 * symlink out of a data root is caught too.
 */
export function hostPathProblem(
  path: string,
  roots: readonly string[],
  resolved?: string,
): string | undefined {
  const own = normalizeAbsolute(path);
  const direct = problemOf(own, roots);
  if (direct) return `${direct.why}; ${direct.fix}`;
  if (resolved === undefined) return undefined;
  const real = normalizeAbsolute(resolved);
  const linked = real === own ? undefined : problemOf(real, roots);
  return linked && `through a symlink (${own} -> ${real}) ${linked.why}; ${linked.fix}`;
}

/** A host-path volume the policy refuses: its field, the message and where it is. */
export interface HostPathViolation {
  field: string;
  message: string;
  position: SourcePosition;
}

/**
 * Every host-path volume of `app` the policy refuses (`validate` lists them all). `allowedRoots` are
 * the operator's allowed roots; undefined means the defaults.
 */
export function hostPathViolations(
  app: AppSpec,
  allowedRoots: readonly string[] | undefined,
  resolvedHostPaths: ReadonlyMap<string, string> = new Map(),
): HostPathViolation[] {
  const roots = allowedRoots ?? DEFAULT_HOST_PATH_ROOTS;
  const violations: HostPathViolation[] = [];
  for (const [index, volume] of app.volumes.entries()) {
    if (volume.kind !== "host") continue;
    const problem = hostPathProblem(volume.hostPath, roots, resolvedHostPaths.get(volume.hostPath));
    if (problem === undefined) continue;
    const field = `spec.volumes[${index}].hostPath`;
    violations.push({
      field,
      message: `binding ${volume.hostPath} is refused: ${problem}`,
      position: app.positions[field] ?? app.positions[`spec.volumes[${index}]`] ?? app.source,
    });
  }
  return violations;
}

/**
 * The host-path policy as a rule: `check` lists every refused host path (`validate` prints them
 * all, offline, so no symlink is resolved there); the planner rejects the app for the first one,
 * with the symlinks it could resolve.
 */
export const HOST_PATH_POLICY = {
  id: "host-path-forbidden",
  title: "A host path lies under an allowed data root, never in or around a path that controls the node",
  contract: "extension",
  input: "app+policy",
  check: hostPathViolations,
  reject: (app, _service, options) => {
    const [first] = hostPathViolations(app, options.allowHostPaths, options.resolvedHostPaths);
    if (!first) return undefined;
    return {
      app: app.name,
      rule: "host-path-forbidden",
      message: `${first.field}: ${first.message}`,
      position: first.position,
    };
  },
} as const satisfies AppPlanRule & StageRule;

/**
 * Why `root` cannot be an allowed data root, or undefined when it can; `name` is where it came
 * from (the flag or the environment variable). Checked once at start-up.
 */
export function allowedRootProblem(root: string, name: string): string | undefined {
  if (root.startsWith("/") && normalizeAbsolute(root) === "/") {
    return `${name} ${JSON.stringify(root)}: allowing the whole file system is not supported; allow the data directories your apps use`;
  }
  if (!root.startsWith("/") || normalizeAbsolute(root) !== root) {
    return `${name} must be an absolute, normalised directory such as /srv/data, got ${JSON.stringify(root)}`;
  }
  const inside = FORBIDDEN_HOST_PATHS.find((entry) => isUnder(root, entry));
  if (inside === undefined) return undefined;
  return (
    `${name} ${root}: it lies in ${inside}, where host paths are never allowed (binding it would give ` +
    `an app control of the node); allow a data directory such as /srv/data`
  );
}

/**
 * One warning per host path the controller could not resolve (`unseen`), for an app about to
 * be planned: its symlinks were not checked, so only the allowed roots protect it. `warned`
 * holds the paths already warned about in this plan.
 */
export function unseenHostPathWarnings(
  app: AppSpec,
  unseen: ReadonlySet<string>,
  warned: Set<string>,
): { app: string; message: string }[] {
  const warnings: { app: string; message: string }[] = [];
  for (const volume of app.volumes) {
    if (volume.kind !== "host" || !unseen.has(volume.hostPath) || warned.has(volume.hostPath)) continue;
    warned.add(volume.hostPath);
    warnings.push({
      app: app.name,
      message:
        `host path ${volume.hostPath} cannot be seen from this controller (not on this machine or not ` +
        `readable), so its symlinks were not checked; the allowed data roots are what protects it`,
    });
  }
  return warnings;
}
