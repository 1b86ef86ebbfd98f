import { basename, isAbsolute, relative, resolve, sep } from "node:path";
import { show } from "../../manifest/format.js";
import { ENV_NAME_PATTERN } from "../../manifest/schema.js";
import type { ComposePath } from "../composeDocument.js";
import type { Context } from "./options.js";
import { isMap, keyValuesAt, mapAt, numberAt, scalarText, stringAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * Secrets and configs. An external one, and with `--stack` every one (stack deploy created it as
 * `<stack>_<name>` or its `name:`), is `spec.external`: the app mounts the very object it had.
 * Otherwise a `file:` becomes `spec.file`, which must lie inside the output directory. The import
 * copies no file: a secret's content goes nowhere the user did not put it. A file outside the
 * output directory is referred to at `DIR/secrets/<file name>` (configs: `DIR/configs/...`), and
 * the report says to copy (or age-encrypt) it there.
 */

export type ContentKind = "secret" | "config";

const plural = (kind: ContentKind) => (kind === "secret" ? "secrets" : "configs");

/** The file a `file:` source is read from in the output directory, relative to it, and whether it must be put there. */
function fileInOutDir(
  file: string,
  docName: string,
  taken: Set<string>,
  ctx: Context,
  kind: ContentKind,
): { path: string; copyFrom?: string } {
  const { projectDir, outDir } = ctx.options;
  const absolute = isAbsolute(file) ? file : resolve(projectDir, file);
  const inside = relative(outDir, absolute);
  if (inside !== "" && !inside.startsWith("..") && !isAbsolute(inside))
    return { path: inside.split(sep).join("/") };
  let path = `${plural(kind)}/${basename(absolute)}`;
  if (taken.has(path)) path = `${plural(kind)}/${docName}-${basename(absolute)}`;
  taken.add(path);
  return { path, copyFrom: absolute };
}

/** The Secret or Config documents of the top-level `secrets` or `configs`. */
export function contentDocuments(kind: ContentKind, ctx: Context): Tree[] {
  const section = ctx.root[plural(kind)];
  const declared = isMap(section) ? section : {};
  const names = kind === "secret" ? ctx.names.secrets : ctx.names.configs;
  const taken = new Set<string>();
  return Object.keys(declared)
    .sort()
    .flatMap((key): Tree[] => {
      const docName = names.get(key);
      if (docName === undefined) return [];
      const path = [plural(kind), key];
      const entry = mapAt(declared[key], path, ctx.findings);
      ctx.findings.checkKeys(kind, entry, path);
      const labels = Object.fromEntries(
        keyValuesAt(entry.labels, [...path, "labels"], ctx.findings).map((l) => [l.key, l.value ?? ""]),
      );
      const spec = contentSpec(kind, entry, key, docName, path, taken, ctx);
      if (spec === undefined) return [];
      const metadata = { name: docName, ...(Object.keys(labels).length > 0 ? { labels } : {}) };
      return [
        { apiVersion: "alacrity.dev/v1", kind: kind === "secret" ? "Secret" : "Config", metadata, spec },
      ];
    });
}

function contentSpec(
  kind: ContentKind,
  entry: Tree,
  key: string,
  docName: string,
  path: ComposePath,
  taken: Set<string>,
  ctx: Context,
): Tree | undefined {
  const { findings, options } = ctx;
  const externalName = isMap(entry.external) ? scalarText(entry.external.name) : undefined;
  const name = scalarText(entry.name) ?? externalName;
  if (entry.external === true || isMap(entry.external)) return { external: name ?? key };
  if (options.stack !== undefined) return { external: name ?? `${options.stack}_${key}` };
  if (entry.name !== undefined) {
    findings.add(
      "warning",
      [...path, "name"],
      `AlaCrity names the ${kind} alacran--${docName}--<hash of its content>, not ${show(entry.name)}`,
    );
  }
  const file = stringAt(entry.file, [...path, "file"], findings);
  if (file !== undefined) {
    const found = fileInOutDir(file, docName, taken, ctx, kind);
    if (found.copyFrom !== undefined) {
      const encrypt =
        kind === "secret"
          ? ` (or age-encrypt it to ${found.path}.age and write that name in ${plural(kind)}.yaml)`
          : "";
      findings.add(
        "warning",
        [...path, "file"],
        `${found.copyFrom} is outside the output directory: copy it to ${resolve(options.outDir, found.path)}${encrypt}; the import copies no ${kind} file`,
      );
    }
    return { file: found.path };
  }
  const variable = stringAt(entry.environment, [...path, "environment"], findings);
  if (variable !== undefined) {
    if (!ENV_NAME_PATTERN.test(variable)) {
      findings.add(
        "unsupported",
        [...path, "environment"],
        `${show(variable)} is not a variable name; the ${kind} is left out`,
      );
      return undefined;
    }
    findings.add(
      "note",
      [...path, "environment"],
      `the controller reads ${variable} from its own environment when it applies, not the import's`,
    );
    return { env: variable };
  }
  const content = kind === "config" ? stringAt(entry.content, [...path, "content"], findings) : undefined;
  if (content !== undefined) return { data: content };
  findings.add(
    "unsupported",
    path,
    `has no file, environment${kind === "config" ? ", content" : ""} or external: the ${kind} is left out`,
  );
  return undefined;
}

/** A service's `secrets` or `configs` as `spec.secrets` / `spec.configs` entries. */
export function serviceFileRefs(
  kind: ContentKind,
  value: unknown,
  path: ComposePath,
  ctx: Context,
): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    ctx.findings.add("unsupported", path, `must be a list of ${plural(kind)}; it is left out`);
    return undefined;
  }
  const names = kind === "secret" ? ctx.names.secrets : ctx.names.configs;
  const declared = isMap(ctx.root[plural(kind)]) ? (ctx.root[plural(kind)] as Tree) : {};
  return value.flatMap((item: unknown, i) => {
    const at = [...path, i];
    const entry = isMap(item) ? item : { source: item };
    if (isMap(item)) ctx.findings.checkKeys("fileRef", item, at);
    const source = stringAt(entry.source, isMap(item) ? [...at, "source"] : at, ctx.findings);
    if (source === undefined) return [];
    const name = names.get(source);
    if (!Object.hasOwn(declared, source) || name === undefined) {
      ctx.findings.add(
        "unsupported",
        at,
        `the ${kind} ${show(source)} is not declared under the top-level ${plural(kind)} (stack deploy refuses it too)`,
      );
      return [];
    }
    const ref: Tree = { name };
    const target = stringAt(entry.target, [...at, "target"], ctx.findings);
    // Stack deploy mounts at the compose name; the manifest's default is its own (renamed) name.
    if (target !== undefined) ref.target = target;
    else if (name !== source) ref.target = kind === "secret" ? `/run/secrets/${source}` : `/${source}`;
    for (const field of ["uid", "gid"] as const) {
      const id = scalarText(entry[field]);
      if (id !== undefined) ref[field] = id;
    }
    const mode = numberAt(entry.mode, [...at, "mode"], ctx.findings);
    if (mode !== undefined) ref.mode = mode;
    return [Object.keys(ref).length === 1 ? name : ref];
  });
}
