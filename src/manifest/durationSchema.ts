import { z } from "zod";
import { show } from "./format.js";
import { DURATION_FORMAT, DURATION_PATTERN, durationNs } from "./durations.js";

/**
 * A duration field, kept as written (`toAppSpec` reads it into nanoseconds). A bare number is the
 * usual mistake: the message says which unit to add. `atLeast` is Docker's floor, where it has one.
 */
export function durationSchema(description: string, atLeast?: { ns: number; text: string }) {
  return z
    .string({
      error: (issue) =>
        typeof issue.input === "number"
          ? `must be ${DURATION_FORMAT} (got ${show(issue.input)}); add a unit: "${issue.input}s"`
          : `must be ${DURATION_FORMAT} (got ${show(issue.input)})`,
    })
    .superRefine((value, ctx) => {
      const read = durationNs(value);
      if ("error" in read) {
        ctx.addIssue({
          code: "custom",
          input: value,
          message: read.error,
        });
      } else if (atLeast !== undefined && read.ns < atLeast.ns) {
        ctx.addIssue({
          code: "custom",
          input: value,
          message: `must be at least ${atLeast.text}, Docker refuses less (got ${show(value)})`,
        });
      }
    })
    .meta({ description, pattern: DURATION_PATTERN });
}

/** Nanoseconds of a duration the schema accepted (anything else is a bug, not bad input). */
export function nsOf(value: string): number {
  const read = durationNs(value);
  if ("error" in read) throw new Error(`nsOf: ${show(value)} was not validated as a duration`);
  return read.ns;
}
