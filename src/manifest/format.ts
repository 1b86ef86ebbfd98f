/**
 * Characters that make text printed to a terminal say something else than it holds: C0 controls
 * (newline, carriage return, escape sequences), DEL, C1 controls, the Unicode line and paragraph
 * separators, and the bidirectional embedding, override and isolate controls (which reorder what
 * is shown). Manifest values and file names may hold any of them.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what is matched
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, "g");

const SHORT_ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
};

/**
 * `text` with every such character written as a JSON-style escape (`\n`, `\u001b`), for every
 * human-readable output: then a manifest cannot add a line to `plan`'s output or colour a
 * terminal. JSON output needs nothing of this (JSON.stringify escapes what JSON must).
 */
export function printable(text: string): string {
  // Most text has none: a test is cheaper than a replace.
  if (!UNPRINTABLE.test(text)) return text;
  return text.replace(
    UNPRINTABLE_ALL,
    (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A value as it is quoted in an error message: short, on one line. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "number" && !Number.isFinite(value)) return yamlNumber(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  const text = printable(JSON.stringify(value));
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

/**
 * A number as YAML writes it: JSON has no infinity or NaN (JSON.stringify gives "null"), and
 * `1e400`, `.inf` and `.nan` all reach the schema as such numbers.
 */
export function yamlNumber(value: number): string {
  if (Number.isNaN(value)) return ".nan";
  if (value === Infinity) return ".inf";
  if (value === -Infinity) return "-.inf";
  return String(value);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["spec", "volumes", 0, "name"]` → `spec.volumes[0].name`; odd keys as `labels["a.b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = String(segment);
      if (PLAIN_KEY.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${printable(JSON.stringify(key))}]`;
    }
  }
  return out;
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? Infinity;
}
