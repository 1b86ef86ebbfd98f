import { show } from "../../manifest/format.js";
import { durationNs } from "../../manifest/durations.js";
import type { ComposePath } from "../composeDocument.js";
import type { Findings } from "./findings.js";

/*
 * Reading the plain values of a compose tree: compose writes numbers as strings and strings as
 * numbers freely, so each reader takes both where compose does, and reports what it cannot read.
 */

export type Tree = Record<string, unknown>;

export const isMap = (value: unknown): value is Tree =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The mapping at `value`, `{}` for null or absent; anything else is reported. */
export function mapAt(value: unknown, path: ComposePath, findings: Findings): Tree {
  if (value === undefined || value === null) return {};
  if (isMap(value)) return value;
  findings.add("unsupported", path, `must be a mapping (got ${show(value)}); it is left out`);
  return {};
}

/** A scalar as the string compose reads it (`fmt.Sprint`): numbers and booleans as written. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function stringAt(value: unknown, path: ComposePath, findings: Findings): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = scalarText(value);
  if (text === undefined)
    findings.add("unsupported", path, `must be a string (got ${show(value)}); it is left out`);
  return text;
}

/** A number written as a number or a numeric string (`"0.5"`). */
export function numberAt(value: unknown, path: ComposePath, findings: Findings): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number === "number" && Number.isFinite(number)) return number;
  findings.add("unsupported", path, `must be a number (got ${show(value)}); it is left out`);
  return undefined;
}

export function wholeAt(value: unknown, path: ComposePath, findings: Findings): number | undefined {
  const number = numberAt(value, path, findings);
  if (number === undefined || (Number.isInteger(number) && number >= 0)) return number;
  findings.add("unsupported", path, `must be a whole number from 0 up (got ${show(value)}); it is left out`);
  return undefined;
}

/** A duration as Go writes it (`30s`, `1m30s`), kept as written: the manifest reads the same format. */
export function durationAt(value: unknown, path: ComposePath, findings: Findings): string | undefined {
  const text = stringAt(value, path, findings);
  if (text === undefined) return undefined;
  const read = durationNs(text);
  if ("ns" in read) return text;
  findings.add("unsupported", path, `${read.error}; it is left out`);
  return undefined;
}

/** A list of strings, or one string as a list of one (compose's `string or list`). */
export function stringListAt(value: unknown, path: ComposePath, findings: Findings): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  items.forEach((item, i) => {
    const text = stringAt(item, Array.isArray(value) ? [...path, i] : path, findings);
    if (text !== undefined) out.push(text);
  });
  return out;
}

/**
 * A `KEY=VALUE` list or a mapping, as compose reads environment and labels. A list item without
 * `=` and a mapping's null value have no value (undefined).
 */
export interface KeyValue {
  key: string;
  value: string | undefined;
  path: ComposePath;
}

export function keyValuesAt(value: unknown, path: ComposePath, findings: Findings): KeyValue[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, i): KeyValue[] => {
      const text = stringAt(item, [...path, i], findings);
      if (text === undefined) return [];
      const at = text.indexOf("=");
      return [
        at < 0
          ? { key: text, value: undefined, path: [...path, i] }
          : { key: text.slice(0, at), value: text.slice(at + 1), path: [...path, i] },
      ];
    });
  }
  if (!isMap(value)) {
    findings.add(
      "unsupported",
      path,
      `must be a list of KEY=VALUE or a mapping (got ${show(value)}); it is left out`,
    );
    return [];
  }
  return Object.entries(value).flatMap(([key, item]): KeyValue[] => {
    if (item === null || item === undefined) return [{ key, value: undefined, path: [...path, key] }];
    const text = stringAt(item, [...path, key], findings);
    return text === undefined ? [] : [{ key, value: text, path: [...path, key] }];
  });
}
