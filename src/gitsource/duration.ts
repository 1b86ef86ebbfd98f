const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration like `30s`, `5m`, `1h`, `500ms` or a plain number of seconds into
 * milliseconds. Throws a message saying what was expected and what came.
 */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const value = Number(match?.[1]);
  const ms = value * (UNITS[match?.[2] ?? "s"] ?? 1000);
  if (!match || !Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(`Expected a duration like \`30s\`, \`5m\`, \`1h\` or seconds, got \`${text}\``);
  }
  return Math.round(ms);
}
