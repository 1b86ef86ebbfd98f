/**
 * The retry policy of every loop that retries a failing step: the work queue's reconciles, the
 * daemon's reconnects to Docker and the Git source's fetches.
 */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 100 ms. */
  baseMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor: number;
  /** Upper bound of the delay, before jitter. Default 30 s. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, factor: 2, capMs: 30_000 };

/**
 * The retry delay after `failures` consecutive failures (1-based), with *equal jitter*: half of the
 * capped exponential delay is fixed, the other half is random. Equal rather than full jitter so that
 * a key never retries almost immediately (full jitter may draw ~0 ms) and hammers a Docker engine
 * that is down, while retries of many keys still spread out.
 */
export function backoffDelay(failures: number, backoff: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, failures - 1);
  const raw = Math.min(backoff.capMs, backoff.baseMs * Math.pow(backoff.factor, exponent));
  const half = raw / 2;
  return Math.round(half + random() * half);
}
