import type { ServiceFields } from "../swarm/types.js";
import { LABEL } from "../swarm/types.js";
import { canonicalHash } from "./canonical.js";
import { normalizeFields } from "./normalize.js";

/**
 * Labels left out of the spec hash: the hash itself, and the Git revision, so that a commit that
 * does not touch an app does not redeploy it (the revision label is refreshed whenever the
 * service is updated for a real reason).
 */
export const UNHASHED_LABELS: readonly string[] = [LABEL.hash, LABEL.revision];

/**
 * The canonical hash of what AlaCrity sets on a service (stored as the `alacrity.hash` label).
 * Comparing it tells "the manifest changed" from "someone changed the service by hand".
 */
export function specHash(fields: ServiceFields): string {
  const n = normalizeFields(fields);
  const labels = Object.fromEntries(Object.entries(n.labels).filter(([k]) => !UNHASHED_LABELS.includes(k)));
  return canonicalHash({ ...n, labels }).slice(0, 32);
}
