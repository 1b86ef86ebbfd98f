import { show } from "./format.js";

/*
 * Durations as Docker, compose and Go's time.ParseDuration write them (`30s`, `1m30s`, `1.5h`,
 * `500ms`), read into nanoseconds, Swarm's unit. Pure functions, no I/O.
 */

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** One `<number><unit>` of a compound duration. */
const PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/** How a duration is written, for error messages. */
export const DURATION_FORMAT = 'a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h)';

/** The JSON Schema pattern of a duration: what `durationNs` accepts, save the size limit. */
export const DURATION_PATTERN = "^(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$";

/**
 * Nanoseconds of a duration, or why it is not one. Go's rules: a bare `0` needs no unit, any
 * other number does; no sign (a negative wait is not a thing here); whole nanoseconds (a fraction
 * of one is dropped, as Go does).
 */
export function durationNs(text: string): { ns: number } | { error: string } {
  const bad = (fix?: string) => ({
    error: `must be ${DURATION_FORMAT} (got ${show(text)})${fix ? `; ${fix}` : ""}`,
  });
  if (text === "0") return { ns: 0 };
  if (text === "") return bad();
  if (/^[+-]/.test(text)) return bad("remove the sign");
  if (/^\d+(\.\d*)?$/.test(text)) return bad(`add a unit: "${text}s"`);
  // In integers: 0.7 * 1e9 in floating point is not 700000000.
  let total = 0n;
  let at = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const match = PART.exec(text);
    const [whole = "", fraction = "", unit = ""] = match ? match.slice(1) : [];
    if (!match || (whole === "" && fraction === "")) return bad();
    const scale = NS_PER[unit] ?? 1n;
    total += BigInt(whole || "0") * scale;
    if (fraction !== "") total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    at = PART.lastIndex;
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER))
    return { error: `must be at most about 104 days (got ${show(text)})` };
  return { ns: Number(total) };
}

const UNITS: [string, number][] = [
  ["h", 3600e9],
  ["m", 60e9],
];

/**
 * Nanoseconds as the manifest writes durations, `1m30s`, `500ms`, `1h`, `1.5s` (for messages and
 * plan diffs): whole hours and minutes, then seconds with their fraction; below a second in ms,
 * µs or ns. `durationNs` reads every one of them back.
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
