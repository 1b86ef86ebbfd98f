import { show, yamlNumber } from "./format.js";

/*
 * Messages of the schema's checks: "what is wrong (got X); how to fix". Values are shown
 * bounded and escaped (`show`); an env value is never shown.
 */

/** A message builder for zod's `error` option. */
export function bad(what: string, fix?: string) {
  return (issue: { input?: unknown }) => `${what} (got ${show(issue.input)})${fix ? `; ${fix}` : ""}`;
}

/**
 * An env value may be a secret (a numeric PIN or key): errors about it go to the terminal, logs
 * and `plan`, so they name its kind, never the value itself.
 */
export function envValueNotString(issue: { input?: unknown }): string {
  if (typeof issue.input === "number") return 'must be a string (got a number); quote it: "..."';
  return scalarNotString(issue);
}

/** A number written in quotes is the usual mistake; say how to fix it. */
export function notANumber(what: string) {
  return (issue: { input?: unknown }) => {
    const value = issue.input;
    const unquote =
      typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
        ? `; remove the quotes: ${value.trim()}`
        : "";
    return `${what} (got ${show(value)})${unquote}`;
  };
}

/** zod's message for a scalar where a string belongs: suggest quoting it, like kubectl does. */
export function scalarNotString(issue: { input?: unknown }): string {
  const value = issue.input;
  if (typeof value === "number" || typeof value === "boolean") {
    const text = typeof value === "number" ? yamlNumber(value) : String(value);
    return `must be a string (got ${show(value)}); quote it: "${text}"`;
  }
  if (value === null) return `must be a string (got null); write "" for an empty value`;
  return `must be a string (got ${show(value)})`;
}
