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
    value: () => ({ ...fields, env: Object.fromEntries(Object.keys(fields.env).map((k) => [k, SET])) }),
    enumerable: false,
    configurable: true,
  });
  return fields;
}
