import { backoffDelay, type BackoffOptions } from "../controller/backoff.js";

/** Retries of a failing fetch: 1 s, 2 s, 4 s … capped at 5 min, with equal jitter. */
export const FETCH_BACKOFF: BackoffOptions = { baseMs: 1000, factor: 2, capMs: 300_000 };

/**
 * The wait before the next fetch: the polling interval after a success; after `failures`
 * consecutive failures, the capped exponential backoff — but never longer than the interval, so a
 * short interval keeps retrying at that pace while a long one (webhook-driven setups) still retries
 * a failure soon, and never longer than the cap.
 */
export function nextFetchDelay(
  failures: number,
  intervalMs: number,
  random: () => number = Math.random,
  backoff: BackoffOptions = FETCH_BACKOFF,
): number {
  if (failures <= 0) return intervalMs;
  return Math.min(backoffDelay(failures, backoff, random), Math.max(intervalMs, backoff.baseMs));
}
