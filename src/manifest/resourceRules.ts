import { show } from "./format.js";
import { formatMemory, MIN_MEMORY_LIMIT, memoryBytes } from "./resources.js";
import type { FieldProblem } from "./zodIssues.js";
import { NONE, type DocumentRule } from "./ruleTypes.js";

/** Docker refuses to start a container with less memory than this; the message quotes what was written. */
export const MEMORY_LIMIT_FLOOR: DocumentRule<"memory-limit-floor"> = {
  id: "memory-limit-floor",
  title: "A memory limit is at least 6M",
  contract: "extension",
  input: "document",
  check: ({ spec }) => {
    const limit = spec.resources?.limits?.memory;
    const bytes = limit === undefined ? undefined : memoryBytes(limit);
    return bytes !== undefined && bytes < MIN_MEMORY_LIMIT
      ? [
          {
            path: ["spec", "resources", "limits", "memory"],
            message: `a memory limit must be at least 6M, Docker refuses to start a container with less (got ${show(limit)}); raise it`,
          },
        ]
      : NONE;
  },
};

/** Docker refuses a container whose reservation is above its limit. */
export const RESERVATIONS_WITHIN_LIMITS: DocumentRule<"reservations-within-limits"> = {
  id: "reservations-within-limits",
  title: "A reservation is not above its limit",
  contract: "extension",
  input: "document",
  check: ({ spec }) => {
    const limits = spec.resources?.limits;
    const reservations = spec.resources?.reservations;
    if (limits === undefined || reservations === undefined) return NONE;
    const problems: FieldProblem[] = [];
    if (limits.cpus !== undefined && reservations.cpus !== undefined && reservations.cpus > limits.cpus) {
      problems.push({
        path: ["spec", "resources", "reservations", "cpus"],
        message: `the CPU reservation (${reservations.cpus}) is above the limit (${limits.cpus}); lower the reservation or raise the limit`,
      });
    }
    const limit = limits.memory === undefined ? undefined : memoryBytes(limits.memory);
    const reserved = reservations.memory === undefined ? undefined : memoryBytes(reservations.memory);
    if (limit !== undefined && reserved !== undefined && reserved > limit) {
      problems.push({
        path: ["spec", "resources", "reservations", "memory"],
        message: `the memory reservation (${formatMemory(reserved)}) is above the limit (${formatMemory(limit)}); lower the reservation or raise the limit`,
      });
    }
    return problems;
  },
};
