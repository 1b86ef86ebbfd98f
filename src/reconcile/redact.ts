/** What a secret env value is shown as. */
export const SET = "(set)";

/**
 * Makes an env map print as `{KEY: "(set)"}` whenever it is serialised (JSON.stringify, pino,
 * `plan --output json`), while code that reads it (the executor) still sees the real values.
 * Env values may be passwords, and a plan carries the env it will deploy; this way no caller has
 * to remember to redact before printing. The `toJSON` is non-enumerable, so `Object.entries`,
 * spreading and structuredClone see only the variables.
 */
export function redactOnSerialise(env: Record<string, string>): Record<string, string> {
  Object.defineProperty(env, "toJSON", {
    value: () => Object.fromEntries(Object.keys(env).map((k) => [k, SET])),
    enumerable: false,
    configurable: true,
  });
  return env;
}
