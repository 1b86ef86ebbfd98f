/*
 * Compose's variable substitution in one string (compose-spec "Interpolation"; docker/cli
 * cli/compose/template): `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?message}` / `${VAR?message}` (required), `${VAR:+alt}` / `${VAR+alt}` (alt when
 * set), and `$$` for a literal `$`. The default, alternative and message may hold substitutions of
 * their own, evaluated only when used.
 */

/** A variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

export type TemplateResult =
  | { ok: true; value: string; unset: { name: string; offset: number }[] }
  | { ok: false; offset: number; message: string; variable?: string };

type Operator = ":-" | "-" | ":?" | "?" | ":+" | "+";
type Part =
  | { kind: "text"; text: string }
  | { kind: "var"; name: string; offset: number; operator?: Operator; argument: Part[] };

const NAME = /[_A-Za-z][_A-Za-z0-9]*/y;
const OPERATORS: readonly Operator[] = [":-", ":?", ":+", "-", "?", "+"];
const ESCAPE_HINT = "write $$ for a literal $";

class TemplateError extends Error {
  constructor(
    readonly offset: number,
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

/** Substitutes the variables of `text`; offsets are of characters in `text`. Pure. */
export function interpolateString(text: string, lookup: Lookup): TemplateResult {
  if (!text.includes("$")) return { ok: true, value: text, unset: [] };
  try {
    const { parts } = parseParts(text, 0, false);
    const unset: { name: string; offset: number }[] = [];
    return { ok: true, value: evaluate(parts, lookup, unset), unset };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return {
      ok: false,
      offset: error.offset,
      message: error.message,
      ...(error.variable === undefined ? {} : { variable: error.variable }),
    };
  }
}

/** The parts from `start` to the end, or with `nested` to the `}` that closes them (`end` -1: none does). */
function parseParts(text: string, start: number, nested: boolean): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let literal = "";
  let i = start;
  const flush = () => {
    if (literal !== "") parts.push({ kind: "text", text: literal });
    literal = "";
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (nested && ch === "}") {
      flush();
      return { parts, end: i };
    }
    if (ch !== "$") {
      literal += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      literal += "$";
      i += 2;
      continue;
    }
    flush();
    if (next === "{") {
      const { part, end } = parseBraced(text, i);
      parts.push(part);
      i = end + 1;
      continue;
    }
    const name = nameAt(text, i + 1);
    if (name === undefined)
      throw new TemplateError(
        i,
        `invalid interpolation: "$" must be followed by a variable name or "{"; ${ESCAPE_HINT}`,
      );
    parts.push({ kind: "var", name, offset: i, argument: [] });
    i += 1 + name.length;
  }
  flush();
  return { parts, end: nested ? -1 : i };
}

/** `${…}` starting at `dollar`; returns the part and the offset of its closing brace. */
function parseBraced(text: string, dollar: number): { part: Part; end: number } {
  const unclosed = () =>
    new TemplateError(dollar, `invalid interpolation: "\${" is not closed by "}"; ${ESCAPE_HINT}`);
  const name = nameAt(text, dollar + 2);
  if (name === undefined) {
    if (!text.includes("}", dollar)) throw unclosed();
    throw new TemplateError(
      dollar,
      `invalid interpolation: "\${" must be followed by a variable name (letters, digits and _, not first a digit); ${ESCAPE_HINT}`,
    );
  }
  const i = dollar + 2 + name.length;
  if (text[i] === "}") return { part: { kind: "var", name, offset: dollar, argument: [] }, end: i };
  const operator = OPERATORS.find((op) => text.startsWith(op, i));
  if (operator === undefined) {
    if (i >= text.length) throw unclosed();
    throw new TemplateError(
      dollar,
      `invalid interpolation of ${name}: after the name comes "}", ":-", "-", ":?", "?", ":+" or "+"; ${ESCAPE_HINT}`,
      name,
    );
  }
  const argument = parseParts(text, i + operator.length, true);
  if (argument.end < 0) throw unclosed();
  return {
    part: { kind: "var", name, offset: dollar, operator, argument: argument.parts },
    end: argument.end,
  };
}

function nameAt(text: string, offset: number): string | undefined {
  NAME.lastIndex = offset;
  return NAME.exec(text)?.[0];
}

function evaluate(parts: Part[], lookup: Lookup, unset: { name: string; offset: number }[]): string {
  let out = "";
  for (const part of parts) out += part.kind === "text" ? part.text : substitute(part, lookup, unset);
  return out;
}

function substitute(
  part: Extract<Part, { kind: "var" }>,
  lookup: Lookup,
  unset: { name: string; offset: number }[],
): string {
  const value = lookup(part.name);
  const empty = value === undefined || value === "";
  const argument = () => evaluate(part.argument, lookup, unset);
  switch (part.operator) {
    case undefined:
      if (value === undefined) unset.push({ name: part.name, offset: part.offset });
      return value ?? "";
    case ":-":
      return empty ? argument() : value;
    case "-":
      return value === undefined ? argument() : value;
    case ":+":
      return empty ? "" : argument();
    case "+":
      return value === undefined ? "" : argument();
    case ":?":
    case "?": {
      if (part.operator === ":?" ? !empty : value !== undefined) return value!;
      const message = argument();
      throw new TemplateError(
        part.offset,
        `required variable ${part.name} is ${value === undefined ? "not set" : "empty"}${message === "" ? "" : `: ${message}`}`,
        part.name,
      );
    }
  }
}
