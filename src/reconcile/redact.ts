/** What a secret env value is shown as. */
export const SET = "(set)";

/**
 * Makes service fields print with every env value as `"(set)"` whenever they are serialised
 * (JSON.stringify, pino, `plan --output json`), while code that reads them (the executor) still
 * sees the real values. Env values may be passwords, and a plan carries the env it will deploy;
 * this way no caller has to remember to redact before printing.
 *
 * The serialiser sits on the fields object, whose keys are ours, and not on the env map: there it
 * would take the place of a variable a user named `toJSON`. It is non-enumerable, so spreading
 * and `Object.entries` see only the fields.
 */
export function redactOnSerialise<T extends { env: Record<string, string> }>(fields: T): T {
  Object.defineProperty(fields, "toJSON", {
    value: () => ({ ...fields, env: redactedEnv(fields.env) }),
    enumerable: false,
    configurable: true,
  });
  return fields;
}

/** Every value as `(set)`; anything else (pino's redaction may have put its censor there) as it is. */
function redactedEnv(env: unknown): unknown {
  if (env === null || typeof env !== "object") return env;
  return Object.fromEntries(Object.keys(env).map((k) => [k, SET]));
}
