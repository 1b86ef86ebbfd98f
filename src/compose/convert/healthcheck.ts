import { show } from "../../manifest/format.js";
import type { ComposePath } from "../composeDocument.js";
import type { Findings } from "./findings.js";
import { durationAt, mapAt, wholeAt } from "./values.js";

/*
 * `healthcheck`, as `docker stack deploy` sets it: a string test runs in the shell (CMD-SHELL),
 * `disable: true` or a `NONE` test switches the image's own check off (`healthcheck: none`).
 */

export function serviceHealthcheck(value: unknown, path: ComposePath, findings: Findings): unknown {
  if (value === undefined || value === null) return undefined;
  const map = mapAt(value, path, findings);
  findings.checkKeys("healthcheck", map, path);
  const test: unknown = map.test;
  if (map.disable === true || (Array.isArray(test) && test[0] === "NONE")) return "none";
  const out: Record<string, unknown> = {};
  if (typeof test === "string") out.test = test;
  else if (
    Array.isArray(test) &&
    test.every((t) => typeof t === "string") &&
    (test[0] === "CMD" || test[0] === "CMD-SHELL")
  ) {
    if (test.length < 2) {
      findings.add(
        "unsupported",
        [...path, "test"],
        `has nothing to run after ${test[0]}: write the command, e.g. ["CMD", "curl", "-f", "http://localhost/"]; the health check is left out`,
      );
      return undefined;
    }
    out.test = test;
  } else if (test !== undefined) {
    findings.add(
      "unsupported",
      [...path, "test"],
      `must be a string or a list starting with CMD, CMD-SHELL or NONE (got ${show(test)}); the health check is left out`,
    );
    return undefined;
  }
  for (const [key, field] of [
    ["interval", "interval"],
    ["timeout", "timeout"],
    ["start_period", "startPeriod"],
  ] as const) {
    const duration = durationAt(map[key], [...path, key], findings);
    if (duration !== undefined && duration !== "0" && duration !== "0s") out[field] = duration;
  }
  const retries = wholeAt(map.retries, [...path, "retries"], findings);
  if (retries !== undefined && retries > 0) out.retries = retries;
  if (out.test === undefined) {
    findings.add(
      "unsupported",
      path,
      "has no test: the manifest's health check needs one (the image's own test cannot be tuned); it is left out",
    );
    return undefined;
  }
  return out;
}
