import { posix } from "node:path";
import type { AppSpec } from "../manifest/types.js";
import type { Rejection } from "./types.js";

/**
 * Host paths no manifest may bind unless the operator allows them: binding any of these (or a
 * path under them) gives the container root-equivalent power over the node — the Docker socket
 * or /var/lib/docker control every container, /etc, /root and /boot hold credentials and boot
 * code, /proc, /sys and /dev reach the kernel and devices. Whoever can merge a manifest must not
 * get root on a node through it.
 */
export const FORBIDDEN_HOST_PATHS: readonly string[] = [
  "/etc",
  "/proc",
  "/sys",
  "/dev",
  "/boot",
  "/root",
  "/var/lib/docker",
  "/var/run/docker.sock",
  "/run/docker.sock",
  "/var/run/docker",
  "/run/docker",
  "/run/containerd",
  "/var/lib/containerd",
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

/**
 * Why a host path may not be bound, or undefined when it may. `/` itself is forbidden (it
 * contains everything); so is anything under the forbidden paths, unless it lies under one of
 * the operator's `--allow-host-path` prefixes. `resolved` is the path with symlinks resolved,
 * when the controller could see it: a symlink that points into a forbidden path is caught too.
 */
export function forbiddenHostPath(
  path: string,
  allowed: readonly string[],
  resolved?: string,
): string | undefined {
  for (const candidate of new Set([
    normalizeAbsolute(path),
    ...(resolved ? [normalizeAbsolute(resolved)] : []),
  ])) {
    if (allowed.some((prefix) => isUnder(candidate, normalizeAbsolute(prefix)))) continue;
    if (candidate === "/") return "/ (the whole file system of the node)";
    const hit = FORBIDDEN_HOST_PATHS.find((forbidden) => isUnder(candidate, forbidden));
    if (hit)
      return candidate === normalizeAbsolute(path)
        ? hit
        : `${hit} (through a symlink: ${path} -> ${candidate})`;
  }
  return undefined;
}

/** A rejection for the first volume of `app` that binds a forbidden host path. */
export function hostPathRejection(
  app: AppSpec,
  allowed: readonly string[],
  resolvedHostPaths: ReadonlyMap<string, string>,
): Rejection | undefined {
  for (const [index, volume] of app.volumes.entries()) {
    if (volume.kind !== "host") continue;
    const reason = forbiddenHostPath(volume.hostPath, allowed, resolvedHostPaths.get(volume.hostPath));
    if (!reason) continue;
    return {
      app: app.name,
      rule: "host-path-forbidden",
      message:
        `spec.volumes[${index}].hostPath: binding ${volume.hostPath} is refused: it lies in ${reason}, which would give the ` +
        `app control of the node. Use a data directory such as /srv/${app.name}, or let the operator allow it with --allow-host-path PREFIX`,
      position:
        app.positions[`spec.volumes[${index}].hostPath`] ??
        app.positions[`spec.volumes[${index}]`] ??
        app.source,
    };
  }
  return undefined;
}
