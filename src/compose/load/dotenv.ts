import type { ComposeLoadError } from "../composeDocument.js";
import { interpolateString } from "./template.js";
import type { Lookup } from "./template.js";

/*
 * An env file read as compose reads it (compose-go's dotenv): one `KEY=VALUE` (or `KEY: VALUE`) a
 * line, an optional `export ` before the key, `#` comments and blank lines skipped. A value is
 * unquoted (up to a ` #` comment, trailing blanks cut), in single quotes (taken as written, over several lines if
 * need be), or in double quotes (`\n`, `\t`, `\r`, `\\`, `\"`, `\$` escapes). Unquoted and
 * double-quoted values are interpolated with the variables of the environment and the lines above.
 * A key alone on its line takes its value from the environment, which already wins: it adds nothing.
 * Values are never quoted in errors: they may be passwords.
 */

const KEY_CHAR = /[A-Za-z0-9_.\-[\]]/;
const DOUBLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', $: "$$" };

export type DotenvResult = { ok: true; vars: Map<string, string> } | { ok: false; error: ComposeLoadError };

/** Parses env file text; `environment` is what its values may refer to first. Pure. */
export function parseDotenv(text: string, file: string, environment: Lookup): DotenvResult {
  const vars = new Map<string, string>();
  const lookup: Lookup = (name) => environment(name) ?? vars.get(name);
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  const fail = (at: number, col: number, message: string): DotenvResult => ({
    ok: false,
    error: { file, line: at, col, message },
  });
  while (i < body.length) {
    const end = lineEnd(body, i);
    const raw = body.slice(i, end).replace(/\r$/, "");
    const lineStart = i;
    const startLine = line;
    i = end + 1;
    line++;
    const trimmed = raw.replace(/^\s+/, "");
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const indent = raw.length - trimmed.length;
    const statement = trimmed.replace(/^export\s+/, "");
    let k = 0;
    while (k < statement.length && KEY_CHAR.test(statement[k]!)) k++;
    const key = statement.slice(0, k);
    const keyCol = indent + (trimmed.length - statement.length) + 1;
    const rest = statement.slice(k).replace(/^[ \t]+/, "");
    if (key === "")
      return fail(
        startLine,
        keyCol,
        "a line must start with a variable name (letters, digits, _ . - [ ]), as in KEY=value",
      );
    if (rest === "" || rest.startsWith("#")) continue;
    if (!rest.startsWith("=") && !rest.startsWith(":"))
      return fail(
        startLine,
        keyCol + k,
        `unexpected ${describe(statement[k]!)} after the variable name ${key}; write KEY=value`,
      );
    const valueText = rest.slice(1).replace(/^[ \t]+/, "");
    const valueStart = lineStart + raw.length - valueText.length;
    const quote = valueText[0];
    let value: string;
    let expand: boolean;
    if (quote === "'" || quote === '"') {
      const closing = closingQuote(body, valueStart, quote);
      if (closing < 0)
        return fail(
          startLine,
          valueStart - lineStart + 1,
          `the value of ${key} opens a ${quote} quote that is never closed`,
        );
      const inner = body.slice(valueStart + 1, closing);
      line = startLine + countNewlines(inner);
      const after = lineEnd(body, closing);
      const trailing = body.slice(closing + 1, after).trim();
      if (trailing !== "" && !trailing.startsWith("#"))
        return fail(
          line,
          closing + 1 - lineStartOf(body, closing) + 1,
          `unexpected text after the closing quote of ${key}`,
        );
      i = after + 1;
      line++;
      value = quote === "'" ? inner.replace(/\\'/g, "'") : unescapeDouble(inner);
      expand = quote === '"';
    } else {
      value = valueText.split(" #")[0]!.replace(/\s+$/, "");
      expand = true;
    }
    if (expand) {
      const result = interpolateString(value, lookup);
      if (!result.ok)
        return fail(startLine, valueStart - lineStart + 1, `the value of ${key}: ${result.message}`);
      value = result.value;
    }
    vars.set(key, value);
  }
  return { ok: true, vars };
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function countNewlines(text: string): number {
  let count = 0;
  for (const ch of text) if (ch === "\n") count++;
  return count;
}

/** Offset of the quote that closes the one at `open` (a backslash escapes a quote), or -1. */
function closingQuote(text: string, open: number, quote: string): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/** Double-quoted escapes; `\$` becomes `$$`, which interpolation reads as a literal `$`. */
function unescapeDouble(inner: string): string {
  return inner.replace(/\\(.)/gs, (whole, ch: string) => DOUBLE_ESCAPES[ch] ?? whole);
}

function describe(ch: string): string {
  return /\s/.test(ch) ? "space" : `character ${JSON.stringify(ch)}`;
}
