import { isAbsolute, resolve } from "node:path";
import { show } from "../../manifest/format.js";
import { ENV_NAME_PATTERN } from "../../manifest/schema.js";
import type { ComposePath } from "../composeDocument.js";
import type { Context } from "./options.js";
import { isMap, keyValuesAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * `env_file` and `environment` as `docker stack deploy` reads them: the files in order, then
 * `environment` over them; an entry without a value takes the variable from the environment of
 * the import, and is left out (with a warning) when that has none. Values are written only to
 * the output files, never into the report.
 */

/** The absolute paths of a service's `env_file` entries (string, list, or compose-spec `{path}` items). */
export function envFileEntries(
  service: Tree,
  projectDir: string,
): { path: string; at: ComposePath; required: boolean }[] {
  const value = service.env_file;
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item: unknown, i) => {
    const at: ComposePath = Array.isArray(value) ? ["env_file", i] : ["env_file"];
    const file = isMap(item) ? item.path : item;
    if (typeof file !== "string") return [];
    const required = !(isMap(item) && item.required === false);
    return [{ path: isAbsolute(file) ? file : resolve(projectDir, file), at, required }];
  });
}

/** Every `env_file` the document names, for the caller to read before converting. */
export function envFilePaths(root: Tree, projectDir: string): string[] {
  const services = isMap(root.services) ? Object.values(root.services) : [];
  return [
    ...new Set(services.flatMap((s) => (isMap(s) ? envFileEntries(s, projectDir).map((e) => e.path) : []))),
  ];
}

/** The lines of an env file, as docker/cli reads them: `KEY=VALUE` taken literally, `KEY` alone from the environment. */
export function envFileVars(
  text: string,
): { vars: { key: string; value: string | undefined }[] } | { error: string; line: number } {
  const vars: { key: string; value: string | undefined }[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const at = line.indexOf("=");
    const key = at < 0 ? line.trimEnd() : line.slice(0, at);
    if (key === "" || /\s/.test(key)) return { error: `${show(key)} is not a variable name`, line: i + 1 };
    vars.push({ key, value: at < 0 ? undefined : line.slice(at + 1) });
  }
  return { vars };
}

export function serviceEnv(service: Tree, path: ComposePath, ctx: Context): Record<string, string> {
  const { findings, options } = ctx;
  const env = new Map<string, { value: string | undefined; path: ComposePath }>();
  for (const entry of envFileEntries(service, options.projectDir)) {
    const read = options.envFiles.get(entry.path);
    const at = [...path, ...entry.at];
    if (read === undefined || "error" in read) {
      if (entry.required)
        findings.add(
          "unsupported",
          at,
          `cannot read ${entry.path}${read ? `: ${read.error}` : ""}; its variables are left out`,
        );
      continue;
    }
    const parsed = envFileVars(read.text);
    if ("error" in parsed) {
      findings.add(
        "unsupported",
        at,
        `${entry.path}:${parsed.line}: ${parsed.error}; the file's variables are left out`,
      );
      continue;
    }
    for (const v of parsed.vars) env.set(v.key, { value: v.value, path: at });
  }
  for (const entry of keyValuesAt(service.environment, [...path, "environment"], findings)) {
    // As stack deploy: an empty value in the file is overridden by the import's environment.
    env.set(entry.key, { value: entry.value, path: entry.path });
  }
  const out: Record<string, string> = {};
  for (const [key, { value, path: at }] of [...env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!ENV_NAME_PATTERN.test(key)) {
      findings.add(
        "unsupported",
        at,
        `the variable name ${show(key)} is not letters, digits and _: the manifest cannot hold it`,
      );
      continue;
    }
    const fromEnv = value === undefined || value === "" ? options.env[key] : undefined;
    if (fromEnv !== undefined) out[key] = fromEnv;
    else if (value !== undefined) out[key] = value;
    else
      findings.add("warning", at, `${key} has no value and is not set in this environment: it is left out`);
  }
  return out;
}
