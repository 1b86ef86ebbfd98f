import { z } from "zod";
import { durationSchema } from "./durationSchema.js";
import { show } from "./format.js";
import { bad, notANumber, scalarNotString } from "./schemaMessages.js";

/*
 * `spec.healthcheck`: the probe Swarm runs in each task, or `none` to switch off the image's own.
 * The test is written as Docker takes it (a list starting with CMD or CMD-SHELL) or as a string run
 * by the shell, compose's short form.
 */

const MIN_PROBE = { ns: 1_000_000, text: "1ms" };

/** The first word of a list test says how Docker runs the rest; anything else is refused by Docker. */
function checkTest(test: string | string[], ctx: z.RefinementCtx): void {
  if (typeof test === "string") {
    if (test.trim() === "")
      ctx.addIssue({
        code: "custom",
        input: test,
        message: `must not be empty (got ${show(test)}); give a shell command, e.g. "pg_isready -U postgres"`,
      });
    return;
  }
  const [first, ...rest] = test;
  const at = (path: PropertyKey[], message: string) =>
    ctx.addIssue({ code: "custom", path, input: test, message });
  if (first === undefined) {
    at([], 'must not be empty; write ["CMD", "program", "arg"...] or a shell command as a string');
  } else if (first === "NONE") {
    at([0], 'to switch off the image\'s health check write "healthcheck: none" instead of a test');
  } else if (first !== "CMD" && first !== "CMD-SHELL") {
    at(
      [0],
      `a list test starts with "CMD" (run directly) or "CMD-SHELL" (run by the shell) (got ${show(first)}); write ["CMD", ${show(first)}, ...] or give the command as one string`,
    );
  } else if (rest.length === 0) {
    at([], `needs a command after ${show(first)}, e.g. ["${first}", "pg_isready"]`);
  } else if (first === "CMD-SHELL" && rest.length > 1) {
    at(
      [2],
      `"CMD-SHELL" takes the whole command as one string (got ${rest.length}); join them: ${show(rest.join(" "))}`,
    );
  }
}

const testSchema = z
  .union([z.string(), z.array(z.string({ error: scalarNotString }))], {
    error: bad(
      "must be a list or a string",
      'write ["CMD", "program", "arg"...], ["CMD-SHELL", "command"] or a shell command as a string',
    ),
  })
  .superRefine(checkTest)
  .meta({
    description:
      'The probe: ["CMD", program, args...], ["CMD-SHELL", command], or a string run by the shell. Exit 0 is healthy.',
  });

const RETRIES = "must be a whole number from 1 up (0 would be Docker's default, 3)";

export const healthcheckObjectSchema = z
  .strictObject({
    test: testSchema,
    interval: durationSchema("Time between probes (Docker's default 30s).", MIN_PROBE).optional(),
    timeout: durationSchema("A probe running longer fails (Docker's default 30s).", MIN_PROBE).optional(),
    retries: z
      .number({ error: notANumber(RETRIES) })
      .int({ error: bad(RETRIES) })
      .min(1, { error: bad(RETRIES) })
      .optional()
      .meta({ description: "Failed probes in a row that make the task unhealthy (Docker's default 3)." }),
    startPeriod: durationSchema(
      "Time after the start during which failed probes do not count (Docker's default 0s).",
      MIN_PROBE,
    ).optional(),
  })
  .meta({ title: "Health check" });

export const healthcheckSchema = z
  .union([z.literal("none"), healthcheckObjectSchema], {
    error: bad('must be "none" or a map with test, interval, timeout, retries and startPeriod'),
  })
  .meta({
    description:
      "How Swarm tells a task is healthy; \"none\" switches off the image's own check (absent: the image's, if any).",
  });

export const HEALTHCHECK_KEYS = Object.keys(healthcheckObjectSchema.shape);
