const UNITS: [string, number][] = [
  ["h", 3600e9],
  ["m", 60e9],
];

/**
 * Nanoseconds as the manifest writes durations, `1m30s`, `500ms`, `1h`, `1.5s`: whole hours and
 * minutes, then seconds with their fraction; below a second in ms, µs or ns.
 */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 0) return `-${formatDuration(-ns)}`;
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${ns / 1e3}µs`;
  if (ns < 1e9) return `${ns / 1e6}ms`;
  let rest = ns;
  let out = "";
  for (const [unit, size] of UNITS) {
    const whole = Math.floor(rest / size);
    if (whole > 0) out += `${whole}${unit}`;
    rest -= whole * size;
  }
  // Rounded to the nanosecond: 1.5e9 / 1e9 is exact, but float noise must not print as 1.50000001.
  if (rest > 0) out += `${Number((rest / 1e9).toFixed(9))}s`;
  return out;
}
