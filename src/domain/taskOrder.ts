/**
 * Sorts by Swarm's RFC 3339 nanosecond timestamps, newest first; their fractions vary in length,
 * hence the padding. Shared by the Swarm reader and the planner (which must not import it).
 */
export function newestTasksFirst<T extends { timestamp: string }>(tasks: readonly T[]): T[] {
  const key = (ts: string): string =>
    ts.replace(
      /(\d{2}:\d{2}:\d{2})(?:\.(\d+))?/,
      (_m, hms: string, frac?: string) => `${hms}.${(frac ?? "").padEnd(9, "0")}`,
    );
  return [...tasks].sort((a, b) => {
    const ka = key(a.timestamp);
    const kb = key(b.timestamp);
    return ka < kb ? 1 : ka > kb ? -1 : 0;
  });
}
