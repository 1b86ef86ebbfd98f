import type { AppSpec } from "../manifest/types.js";
import type { PinRecord, RecordedStorage } from "../swarm/types.js";
import { volumeName } from "../domain/names.js";
import { mergeStorage } from "../domain/storage.js";
import type { Action } from "./types.js";

/*
 * What a persistent app keeps on its node, as its pin record remembers it (issue 19): every
 * Docker volume and host directory it mounted there, kept after the app stops mounting one or is
 * removed, so that `alacrity data` can say what is left behind, where, and how to delete it.
 */

/** The Docker volume names and host paths `app` mounts, sorted and without repeats. */
export function storageOf(app: AppSpec): RecordedStorage {
  const volumes = new Set<string>();
  const hostPaths = new Set<string>();
  for (const v of app.volumes) {
    if (v.kind === "host") hostPaths.add(v.hostPath);
    else volumes.add(v.kind === "named" ? volumeName(v.name) : v.name);
  }
  return { volumes: [...volumes].sort(), hostPaths: [...hostPaths].sort() };
}

/**
 * A new pin with the storage it records; one that replaces a record (an explicit move) also
 * carries what the app kept on the old node, recorded as left behind before the old pin goes.
 */
export function withStorage(
  action: Extract<Action, { kind: "pin" }>,
  app: AppSpec,
  replaced: PinRecord | undefined,
): Extract<Action, { kind: "pin" }> {
  const pin = { ...action, storage: storageOf(app) };
  if (action.replaces === undefined || !replaced) return pin;
  return {
    ...pin,
    leaves: {
      nodeId: replaced.nodeId,
      hostname: replaced.hostname,
      storage: replaced.storage ?? storageOf(app),
    },
  };
}

const EMPTY: RecordedStorage = { volumes: [], hostPaths: [] };

/**
 * The action that adds what `app` mounts now to its existing pin record, or none when the record
 * has it all. A record written before storage was recorded learns the app's current storage.
 */
export function recordStorage(app: AppSpec, record: PinRecord): Action | undefined {
  const recorded = record.storage ?? EMPTY;
  const now = storageOf(app);
  const added: RecordedStorage = {
    volumes: now.volumes.filter((v) => !recorded.volumes.includes(v)),
    hostPaths: now.hostPaths.filter((p) => !recorded.hostPaths.includes(p)),
  };
  if (record.storage !== undefined && added.volumes.length === 0 && added.hostPaths.length === 0)
    return undefined;
  return {
    kind: "record-storage",
    app: app.name,
    configId: record.configId,
    version: record.version ?? 0,
    storage: mergeStorage(recorded, now),
    added,
    reason: "storage recorded",
  };
}
