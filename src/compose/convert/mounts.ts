import { isAbsolute, posix, resolve } from "node:path";
import { show } from "../../manifest/format.js";
import type { ComposePath } from "../composeDocument.js";
import type { Context } from "./options.js";
import { isMap, scalarText, stringAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * A service's `volumes`, as `docker stack deploy` mounts them: a named volume is the stack's
 * `<stack>_<volume>` (or its `name:`, or an external volume's own name), a bind mount is a host
 * path resolved against the compose file's directory. AlaCrity keeps the data where it is: with
 * `--stack` the app mounts that very Docker volume (`external`); without it the volume is a new,
 * empty label-based one, which the report says. tmpfs and anonymous volumes hold no data worth
 * keeping, and have no field: reported.
 */

export type ManifestVolume =
  | { name: string; containerPath: string; readOnly?: true }
  | { external: string; containerPath: string; readOnly?: true }
  | { hostPath: string; containerPath: string; readOnly?: true };

interface Mount {
  type: string;
  source?: string;
  target?: string;
  readOnly: boolean;
}

const MODES = new Set(["ro", "rw"]);

/** `SOURCE:TARGET[:MODE]` or `TARGET`; a source starting with `.`, `/` or `~` is a host path. */
function shortMount(text: string, path: ComposePath, ctx: Context): Mount {
  const parts = text.split(":");
  if (parts.length === 1) return { type: "volume", target: text, readOnly: false };
  const [source = "", target = "", mode = ""] = parts;
  const options = mode === "" ? [] : mode.split(",");
  for (const option of options.filter((o) => !MODES.has(o))) {
    const severity = ["cached", "delegated", "consistent"].includes(option) ? "note" : "unsupported";
    ctx.findings.add(
      severity,
      path,
      `the mount option ${show(option)} ${severity === "note" ? "has no effect on Linux" : "cannot be kept"}; it is left out`,
    );
  }
  const type = /^[./~]/.test(source) ? "bind" : "volume";
  return { type, source, target, readOnly: options.includes("ro") };
}

function longMount(entry: Tree, path: ComposePath, ctx: Context): Mount {
  ctx.findings.checkKeys("mount", entry, path);
  return {
    type: stringAt(entry.type, [...path, "type"], ctx.findings) ?? "volume",
    source: stringAt(entry.source, [...path, "source"], ctx.findings),
    target: stringAt(entry.target, [...path, "target"], ctx.findings),
    readOnly: entry.read_only === true,
  };
}

/** A host path as absolute and normalised as the manifest wants it. */
function hostPath(source: string, path: ComposePath, ctx: Context): string {
  const home = ctx.options.env.HOME;
  const expanded = source.startsWith("~") && home !== undefined ? home + source.slice(1) : source;
  const absolute = isAbsolute(expanded) ? expanded : resolve(ctx.options.projectDir, expanded);
  const normal = posix.normalize(absolute).replace(/(.)\/+$/, "$1");
  if (!isAbsolute(expanded)) {
    ctx.findings.add(
      "note",
      path,
      `the relative host path ${show(source)} is ${show(normal)} (resolved against the compose file's directory, as stack deploy does)`,
    );
  }
  const roots = ctx.options.hostPathRoots;
  if (!roots.some((root) => normal === root || normal.startsWith(root.endsWith("/") ? root : `${root}/`))) {
    ctx.findings.add(
      "warning",
      path,
      `the host path ${show(normal)} is outside the allowed data roots (${roots.join(", ")}): validate, plan and apply need --allow-host-path with a root above it`,
    );
  }
  return normal;
}

/** The Docker volume a named volume of the compose file is, and whether it exists already. */
function namedVolume(
  source: string,
  path: ComposePath,
  ctx: Context,
): { external: string } | { name: string } | undefined {
  const volumes = isMap(ctx.root.volumes) ? ctx.root.volumes : {};
  if (!Object.hasOwn(volumes, source)) {
    ctx.findings.add(
      "unsupported",
      path,
      `the volume ${show(source)} is not declared under the top-level volumes (stack deploy refuses it too)`,
    );
    return undefined;
  }
  const declared = isMap(volumes[source]) ? volumes[source] : {};
  const external = declared.external === true || isMap(declared.external);
  const externalName = isMap(declared.external) ? scalarText(declared.external.name) : undefined;
  const name = scalarText(declared.name) ?? externalName;
  if (external) return { external: name ?? source };
  const stack = ctx.options.stack;
  if (stack !== undefined) return { external: name ?? `${stack}_${source}` };
  ctx.findings.add(
    "warning",
    path,
    `the volume ${show(source)} becomes the new, empty volume alacran--${source}: give --stack NAME to mount the stack's volume ${show(name ?? `NAME_${source}`)} with its data`,
  );
  return { name: source };
}

/** The manifest volumes of a service's `volumes`. */
export function serviceVolumes(value: unknown, path: ComposePath, ctx: Context): ManifestVolume[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.findings.add("unsupported", path, "must be a list of volumes; it is left out");
    return [];
  }
  return value.flatMap((entry: unknown, i): ManifestVolume[] => {
    const at = [...path, i];
    const text = scalarText(entry);
    const mount = isMap(entry)
      ? longMount(entry, at, ctx)
      : text !== undefined
        ? shortMount(text, at, ctx)
        : undefined;
    if (mount === undefined || mount.target === undefined) {
      ctx.findings.add(
        "unsupported",
        at,
        `must be SOURCE:TARGET[:MODE] or a mapping with a target; it is left out`,
      );
      return [];
    }
    const containerPath = posix.normalize(mount.target).replace(/(.)\/+$/, "$1");
    const readOnly = mount.readOnly ? { readOnly: true as const } : {};
    if (mount.type === "bind" && mount.source) {
      return [{ hostPath: hostPath(mount.source, at, ctx), containerPath, ...readOnly }];
    }
    if (mount.type === "volume" && mount.source) {
      const volume = namedVolume(mount.source, at, ctx);
      return volume === undefined ? [] : [{ ...volume, containerPath, ...readOnly }];
    }
    const what = mount.type === "volume" ? "an anonymous volume" : `a ${mount.type} mount`;
    ctx.findings.add(
      "unsupported",
      at,
      `${what} at ${show(containerPath)} cannot be kept: the manifest mounts named volumes and host paths only`,
    );
    return [];
  });
}
