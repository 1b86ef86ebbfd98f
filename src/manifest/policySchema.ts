import { z } from "zod";
import { durationSchema } from "./durationSchema.js";
import { show } from "./format.js";
import { bad, notANumber } from "./schemaMessages.js";

/*
 * `spec.update`, `spec.rollback` and `spec.restart`: how Swarm replaces tasks and restarts them,
 * in the words of `docker service create --update-*`, `--rollback-*` and `--restart-*`.
 */

const wholeFrom = (min: number, what: string) => {
  const message = `must be a whole number from ${min} up`;
  return z
    .number({ error: notANumber(message) })
    .int({ error: bad(message) })
    .min(min, { error: bad(message) })
    .optional()
    .meta({ description: what });
};

const ORDER = z
  .enum(["stop-first", "start-first"], { error: bad('must be "stop-first" or "start-first"') })
  .optional();

const FAILURE_ACTIONS = {
  update: ["rollback", "pause", "continue"] as const,
  rollback: ["pause", "continue"] as const,
};

const orList = (items: string[]) => `${items.slice(0, -1).join(", ")} or ${items.at(-1) ?? ""}`;

function failureAction(kind: "update" | "rollback") {
  const error = (issue: { input?: unknown }) =>
    kind === "rollback" && issue.input === "rollback"
      ? 'a rollback cannot itself be rolled back (got "rollback"); use "pause" or "continue"'
      : `must be ${orList(FAILURE_ACTIONS[kind].map((a) => show(a)))} (got ${show(issue.input)})`;
  return z
    .enum(FAILURE_ACTIONS[kind], { error })
    .optional()
    .meta({
      description:
        kind === "update"
          ? "What Swarm does when updated tasks fail: rollback (AlaCrity's default), pause or continue."
          : "What Swarm does when a rollback's tasks fail: pause (Swarm's default) or continue.",
    });
}

export const updatePolicySchema = (kind: "update" | "rollback") =>
  z
    .strictObject({
      parallelism: wholeFrom(
        0,
        `Tasks ${kind === "update" ? "updated" : "rolled back"} at once (Swarm's default 1; 0: all at once).`,
      ),
      delay: durationSchema("Wait between batches (Swarm's default 0s).").optional(),
      failureAction: failureAction(kind),
      monitor: durationSchema(
        "How long a new task is watched for failure after it starts (Swarm's default 5s).",
      ).optional(),
      maxFailureRatio: z
        .number({ error: notANumber("must be a number from 0 to 1") })
        .min(0, { error: bad("must be a number from 0 to 1", "e.g. 0.2 for 20 %") })
        .max(1, { error: bad("must be a number from 0 to 1", "e.g. 0.2 for 20 %") })
        .optional()
        .meta({ description: "Share of tasks that may fail before failureAction is taken (default 0)." }),
      order: ORDER.meta({
        description:
          "stop-first (Swarm's default) or start-first (new task before the old one stops); persistent apps are always stop-first.",
      }),
    })
    .meta({ title: kind === "update" ? "Update policy" : "Rollback policy" });

export const restartPolicySchema = z
  .strictObject({
    condition: z
      .enum(["any", "on-failure", "none"], { error: bad('must be "any", "on-failure" or "none"') })
      .optional()
      .meta({ description: "When Swarm restarts a task: any (Swarm's default), on-failure or none." }),
    delay: durationSchema("Wait before a restart (Swarm's default 5s).").optional(),
    maxAttempts: wholeFrom(0, "Restarts within window before Swarm gives up (default 0: no limit)."),
    window: durationSchema("The window maxAttempts counts in (default 0s: unbounded).").optional(),
  })
  .meta({ title: "Restart policy" });

export const UPDATE_POLICY_KEYS = Object.keys(updatePolicySchema("update").shape);
export const RESTART_POLICY_KEYS = Object.keys(restartPolicySchema.shape);
