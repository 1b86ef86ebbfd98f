import type { FieldProblem } from "./zodIssues.js";

const PROTO = "__proto__";

/**
 * Keys named `__proto__` anywhere in a document. The schema library skips them on purpose (a
 * plain object cannot hold one without changing its prototype), so an env variable or label of
 * that name would vanish without a word; this makes it an error at the key instead.
 */
export function findProtoKeys(data: unknown, path: PropertyKey[] = []): FieldProblem[] {
  if (data === null || typeof data !== "object") return [];
  if (Array.isArray(data)) return data.flatMap((item, i) => findProtoKeys(item, [...path, i]));
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(data)) {
    const value: unknown = (data as Record<string, unknown>)[key];
    if (key === PROTO) {
      problems.push({
        path: [...path, key],
        message: `a key named "__proto__" cannot be kept (the controller's runtime gives it a special meaning); rename it`,
        atKey: true,
      });
    } else {
      problems.push(...findProtoKeys(value, [...path, key]));
    }
  }
  return problems;
}
