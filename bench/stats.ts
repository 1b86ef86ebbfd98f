/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface Comparison {
  /** Milliseconds of each run of ours, in pair order. */
  ours: number[];
  /** Milliseconds of each run of the reference command, in pair order. */
  theirs: number[];
  oursMedianMs: number;
  theirsMedianMs: number;
  /** Median of the per-pair ratios ours/theirs. */
  medianRatio: number;
}

export function compare(ours: number[], theirs: number[]): Comparison {
  const ratios = ours.map((o, i) => o / theirs[i]!);
  return {
    ours,
    theirs,
    oursMedianMs: median(ours),
    theirsMedianMs: median(theirs),
    medianRatio: median(ratios),
  };
}
