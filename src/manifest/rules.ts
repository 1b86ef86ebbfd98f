import type { AppManifest } from "./schema.js";
import type { FieldProblem } from "./zodIssues.js";
import type { AppRule, DocumentRule } from "./ruleTypes.js";
import { UNIQUE_PUBLISHED_PORTS } from "./portRules.js";
import {
  GLOBAL_REPLICAS,
  PERSISTENT_NOT_GLOBAL,
  PERSISTENT_PLACEMENT,
  PERSISTENT_STOP_FIRST,
} from "./deployRules.js";
import { NODE_NEEDS_PERSISTENCE, PERSISTENT_REPLICAS, VOLUMES_NEED_PERSISTENCE } from "./persistenceRules.js";
import { MEMORY_LIMIT_FLOOR, RESERVATIONS_WITHIN_LIMITS } from "./resourceRules.js";
import { UNIQUE_CONTAINER_PATHS, VOLUME_SOURCE } from "./volumeRules.js";

export type { AppRule, AppView, DocumentRule } from "./ruleTypes.js";

/**
 * The rules across fields the loader checks on each document once its shape is valid, in the
 * order their problems are listed. Each returns the problems it finds; none throws.
 */
export const DOCUMENT_RULES = [
  PERSISTENT_REPLICAS,
  VOLUMES_NEED_PERSISTENCE,
  NODE_NEEDS_PERSISTENCE,
  VOLUME_SOURCE,
  UNIQUE_CONTAINER_PATHS,
  UNIQUE_PUBLISHED_PORTS,
  MEMORY_LIMIT_FLOOR,
  RESERVATIONS_WITHIN_LIMITS,
  PERSISTENT_STOP_FIRST,
  PERSISTENT_NOT_GLOBAL,
  PERSISTENT_PLACEMENT,
  GLOBAL_REPLICAS,
] as const satisfies readonly (AppRule | DocumentRule)[];

/** Every problem the document rules find in one valid-shaped document. */
export function checkDocument(document: AppManifest): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const rule of DOCUMENT_RULES) {
    problems.push(...(rule.input === "app" ? rule.check(document.spec) : rule.check(document)));
  }
  return problems;
}

export {
  GLOBAL_REPLICAS,
  MEMORY_LIMIT_FLOOR,
  NODE_NEEDS_PERSISTENCE,
  PERSISTENT_NOT_GLOBAL,
  PERSISTENT_PLACEMENT,
  PERSISTENT_REPLICAS,
  PERSISTENT_STOP_FIRST,
  RESERVATIONS_WITHIN_LIMITS,
  UNIQUE_CONTAINER_PATHS,
  UNIQUE_PUBLISHED_PORTS,
  VOLUME_SOURCE,
  VOLUMES_NEED_PERSISTENCE,
};
