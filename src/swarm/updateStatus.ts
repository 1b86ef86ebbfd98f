import type { ObservedUpdateStatus } from "./types.js";

/** `Service.UpdateStatus` as the Engine API lists it. */
export interface RawUpdateStatus {
  State?: string;
  Message?: string;
  StartedAt?: string;
  CompletedAt?: string;
}

export function updateStatusFromRaw(raw: RawUpdateStatus | undefined): ObservedUpdateStatus | undefined {
  if (!raw?.State) return undefined;
  const status: ObservedUpdateStatus = { state: raw.State, message: raw.Message ?? "" };
  if (raw.StartedAt) status.startedAt = raw.StartedAt;
  if (raw.CompletedAt) status.completedAt = raw.CompletedAt;
  return status;
}
