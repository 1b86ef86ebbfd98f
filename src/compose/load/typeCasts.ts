import type { ComposePath } from "../composeDocument.js";

/*
 * The values docker/cli turns from strings into numbers or booleans after interpolation
 * (cli/compose/loader/interpolate.go), so that `replicas: ${REPLICAS}` is a number, as it would
 * be written without a variable. Only interpolated strings are cast, as there.
 */

type Cast = "int" | "float" | "bool";

/** Path patterns: `*` is any key, `[]` any list item. */
const CASTS: readonly [readonly string[], Cast][] = [
  [["services", "*", "configs", "[]", "mode"], "int"],
  [["services", "*", "secrets", "[]", "mode"], "int"],
  [["services", "*", "healthcheck", "retries"], "int"],
  [["services", "*", "healthcheck", "disable"], "bool"],
  [["services", "*", "deploy", "replicas"], "int"],
  [["services", "*", "deploy", "update_config", "parallelism"], "int"],
  [["services", "*", "deploy", "update_config", "max_failure_ratio"], "float"],
  [["services", "*", "deploy", "rollback_config", "parallelism"], "int"],
  [["services", "*", "deploy", "rollback_config", "max_failure_ratio"], "float"],
  [["services", "*", "deploy", "restart_policy", "max_attempts"], "int"],
  [["services", "*", "deploy", "placement", "max_replicas_per_node"], "int"],
  [["services", "*", "ports", "[]", "target"], "int"],
  [["services", "*", "ports", "[]", "published"], "int"],
  [["services", "*", "ulimits", "*"], "int"],
  [["services", "*", "ulimits", "*", "hard"], "int"],
  [["services", "*", "ulimits", "*", "soft"], "int"],
  [["services", "*", "privileged"], "bool"],
  [["services", "*", "oom_score_adj"], "int"],
  [["services", "*", "read_only"], "bool"],
  [["services", "*", "stdin_open"], "bool"],
  [["services", "*", "tty"], "bool"],
  [["services", "*", "volumes", "[]", "read_only"], "bool"],
  [["services", "*", "volumes", "[]", "volume", "nocopy"], "bool"],
  [["networks", "*", "external"], "bool"],
  [["networks", "*", "internal"], "bool"],
  [["networks", "*", "attachable"], "bool"],
  [["volumes", "*", "external"], "bool"],
  [["secrets", "*", "external"], "bool"],
  [["configs", "*", "external"], "bool"],
];

const TRUE = ["y", "yes", "true", "on"];
const FALSE = ["n", "no", "false", "off"];

/**
 * The interpolated string `value` at `path` cast to the type docker/cli gives that key: the cast
 * value, `{ error }` naming the type expected, or the string itself where no type is fixed.
 */
export function castInterpolated(
  path: ComposePath,
  value: string,
): { value: string | number | boolean } | { error: string } {
  const cast = CASTS.find(([pattern]) => matches(pattern, path))?.[1];
  switch (cast) {
    case undefined:
      return { value };
    case "int":
      return /^[-+]?\d+$/.test(value.trim()) ? { value: Number(value) } : { error: "an integer" };
    case "float": {
      const number = Number(value);
      return value.trim() !== "" && Number.isFinite(number) ? { value: number } : { error: "a number" };
    }
    case "bool": {
      const word = value.toLowerCase();
      if (TRUE.includes(word)) return { value: true };
      if (FALSE.includes(word)) return { value: false };
      return { error: "a boolean (true or false)" };
    }
  }
}

function matches(pattern: readonly string[], path: ComposePath): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((part, i) => {
      const segment = path[i];
      return part === "[]"
        ? typeof segment === "number"
        : part === "*"
          ? typeof segment === "string"
          : part === segment;
    })
  );
}
