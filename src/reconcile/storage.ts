import { posix } from "node:path";
import type { AppSpec, SourcePosition, VolumeSpec } from "../manifest/types.js";
import type { ObservedMount, ObservedService } from "../swarm/types.js";
import { volumeName } from "../swarm/types.js";
import type { Rejection } from "./types.js";

/** One storage location: a Docker volume or a host directory, in a form where equal means same. */
export const volumeKey = (v: VolumeSpec): string =>
  v.kind === "named" ? `volume:${volumeName(v.name)}` : `host:${normalizeHostPath(v.hostPath)}`;

export const mountKey = (m: ObservedMount): string =>
  m.kind === "named" ? `volume:${m.source}` : `host:${normalizeHostPath(m.source)}`;

/** `/srv//a/./b/` and `/srv/a/b` are one directory. */
export function normalizeHostPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/**
 * Two apps never share one storage path (CONTRACT §2.8). The app already deployed with a volume
 * or host path keeps it; the newcomer is rejected. A newcomer is an app whose service does not
 * mount the path yet. When no service mounts it, the app whose manifest comes first (file, line)
 * keeps it. An app whose service already mounts the path is never rejected for it: rejecting it
 * would not stop it anyway, and it is the one "already deployed".
 *
 * `apps` are the candidate apps; `services` the services this instance manages (including those
 * of apps no longer or not validly defined: their data is in use until they are gone).
 */
export function storageConflicts(apps: AppSpec[], services: ObservedService[]): Map<string, Rejection> {
  const holders = new Map<string, Set<string>>();
  for (const s of services) {
    for (const m of s.fields.mounts) {
      const key = mountKey(m);
      const set = holders.get(key) ?? new Set<string>();
      set.add(s.name);
      holders.set(key, set);
    }
  }

  const claimants = new Map<string, AppSpec[]>();
  for (const app of [...apps].sort(bySource)) {
    for (const key of new Set(app.volumes.map(volumeKey))) {
      claimants.set(key, [...(claimants.get(key) ?? []), app]);
    }
  }

  const rejections = new Map<string, Rejection>();
  for (const app of [...apps].sort(bySource)) {
    for (const [index, v] of app.volumes.entries()) {
      const key = volumeKey(v);
      const held = holders.get(key) ?? new Set<string>();
      if (held.has(app.name)) continue;
      const deployedOther = [...held].sort()[0];
      const first = (claimants.get(key) ?? [])[0];
      let other: string | undefined;
      if (deployedOther !== undefined) {
        other = `is already used by app ${deployedOther}, which keeps it`;
      } else if (first !== undefined && first !== app) {
        other = `is also declared by app ${first.name} (${first.source.file}:${first.source.line}), which comes first and keeps it`;
      }
      if (other === undefined) continue;
      rejections.set(app.name, {
        app: app.name,
        rule: "storage-conflict",
        message: `${describeVolume(v)} ${other}; two apps never share one storage path. Use another ${
          v.kind === "named" ? "volume name" : "host path"
        }, or remove it from the other app first`,
        position: volumePosition(app, index, v),
      });
      break;
    }
  }
  return rejections;
}

function describeVolume(v: VolumeSpec): string {
  return v.kind === "named"
    ? `volume ${v.name} (Docker volume ${volumeName(v.name)})`
    : `host path ${normalizeHostPath(v.hostPath)}`;
}

function volumePosition(app: AppSpec, index: number, v: VolumeSpec): SourcePosition {
  const base = `spec.volumes[${index}]`;
  return (
    app.positions[`${base}.${v.kind === "named" ? "name" : "hostPath"}`] ?? app.positions[base] ?? app.source
  );
}

function bySource(a: AppSpec, b: AppSpec): number {
  const fa = a.file;
  const fb = b.file;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (
    a.source.line - b.source.line ||
    a.source.col - b.source.col ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}
