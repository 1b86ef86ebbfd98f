import { mapNode, scalarNode, seqNode } from "./composeNode.js";
import type { ComposeMap, ComposeNode, ComposeSeq } from "./composeNode.js";
import { portKey, sourceKey, volumeKey } from "./listItemKeys.js";

/*
 * How a later compose file (or a service that `extends` another) overrides an earlier one, the
 * way docker/cli merges the files of `docker stack deploy -c a.yml -c b.yml`
 * (cli/compose/loader/merge.go), on the raw trees:
 *
 * - Mappings are merged key by key, recursively; a scalar, or a value of another kind, replaces
 *   the earlier value; a null changes nothing (compose does not override with an empty value).
 * - Top level: `services` are merged by name (each service as below); each entry of `networks`,
 *   `volumes`, `secrets` and `configs` is replaced whole by a later definition of the same name.
 * - In a service, lists are appended (`cap_add`, `dns`, `extra_hosts`, `env_file`,
 *   `deploy.placement.constraints`, …), except:
 *   - `command`, `entrypoint` and `healthcheck.test` are replaced;
 *   - `environment`, `labels`, `deploy.labels`, `build.args` and `sysctls` are maps whether
 *     written as maps or as `KEY=VALUE` lists, merged by key (the result is a map);
 *   - `ports` are merged by published port and protocol (a port published nowhere by its
 *     container port: docker/cli keys by published port alone, which folds every unpublished
 *     port into one); `volumes` by container path; `secrets` and `configs` by source. An item of
 *     the later file replaces the earlier one with its key, in its place; the others are appended;
 *   - `networks` are maps whether written as a list of names or a map, merged by name; a
 *     network's `aliases` are replaced;
 *   - each `ulimits` entry is replaced whole;
 *   - `logging` is merged when both name the same driver (or one names none), else replaced.
 * - Outside services (`x-` extension fields, say) a later list replaces an earlier one.
 *
 * Every merged value keeps the position of the file that wrote it; a merged map or list takes
 * that of the later file.
 */

type Rule = (base: ComposeNode, override: ComposeNode, path: readonly string[]) => ComposeNode;

const replace: Rule = (_base, override) => override;

/** Path patterns (`*`: any key) and their rules; a path with no rule is merged as a mapping. */
const RULES: readonly (readonly [string, Rule])[] = [
  ["networks.*", replace],
  ["volumes.*", replace],
  ["secrets.*", replace],
  ["configs.*", replace],
  ["services.*.command", replace],
  ["services.*.entrypoint", replace],
  ["services.*.healthcheck.test", replace],
  ["services.*.environment", keyValues],
  ["services.*.labels", keyValues],
  ["services.*.deploy.labels", keyValues],
  ["services.*.build.args", keyValues],
  ["services.*.sysctls", keyValues],
  ["services.*.ports", keyedList(portKey)],
  ["services.*.volumes", keyedList(volumeKey)],
  ["services.*.secrets", keyedList(sourceKey)],
  ["services.*.configs", keyedList(sourceKey)],
  ["services.*.networks", keyValues],
  ["services.*.networks.*.aliases", replace],
  ["services.*.ulimits.*", replace],
  ["services.*.logging", logging],
];

/** `override` (a later file's whole tree) merged onto `base`. Pure; neither is changed. */
export function mergeFiles(base: ComposeMap, override: ComposeMap): ComposeMap {
  return mergeMaps(base, override, []);
}

/** The service `name` of one file merged onto the service it extends. */
export function mergeService(base: ComposeNode, override: ComposeNode, name: string): ComposeNode {
  return mergeAt(base, override, ["services", name]);
}

function mergeAt(base: ComposeNode, override: ComposeNode, path: readonly string[]): ComposeNode {
  if (override.kind === "scalar" && override.value === null) return base;
  const rule = ruleFor(path);
  if (rule) return rule(base, override, path);
  if (base.kind === "map" && override.kind === "map") return mergeMaps(base, override, path);
  if (base.kind === "seq" && override.kind === "seq" && path[0] === "services")
    return seqNode([...base.items, ...override.items], override.at);
  return override;
}

function mergeMaps(base: ComposeMap, override: ComposeMap, path: readonly string[]): ComposeMap {
  const entries = new Map(base.entries);
  for (const [key, value] of override.entries) {
    const earlier = entries.get(key);
    entries.set(key, earlier === undefined ? value : mergeAt(earlier, value, [...path, key]));
  }
  return mapNode(entries, override.at);
}

function ruleFor(path: readonly string[]): Rule | undefined {
  return RULES.find(([pattern]) => {
    const parts = pattern.split(".");
    return parts.length === path.length && parts.every((part, i) => part === "*" || part === path[i]);
  })?.[1];
}

/** A map written as a map or as a list of `KEY=VALUE` (or `KEY`, no value) items; undefined: neither. */
function asKeyValues(node: ComposeNode): ComposeMap | undefined {
  if (node.kind === "map") return node;
  if (node.kind === "scalar") return node.value === null ? mapNode(new Map(), node.at) : undefined;
  const entries = new Map<string, ComposeNode>();
  for (const item of node.items) {
    if (item.kind !== "scalar" || item.value === null || typeof item.value === "boolean") return undefined;
    const text = String(item.value);
    const equals = text.indexOf("=");
    if (equals < 0) entries.set(text, scalarNode(null, item.at));
    else entries.set(text.slice(0, equals), scalarNode(text.slice(equals + 1), item.at));
  }
  return mapNode(entries, node.at);
}

function keyValues(base: ComposeNode, override: ComposeNode, path: readonly string[]): ComposeNode {
  const earlier = asKeyValues(base);
  const later = asKeyValues(override);
  if (!earlier || !later) return override;
  return mergeMaps(earlier, later, path);
}

function keyedList(keyOf: (item: ComposeNode) => string | undefined): Rule {
  return (base, override) => {
    if (base.kind !== "seq" || override.kind !== "seq") return override;
    return mergeKeyed(base, override, keyOf);
  };
}

function mergeKeyed(
  base: ComposeSeq,
  override: ComposeSeq,
  keyOf: (item: ComposeNode) => string | undefined,
) {
  const items = [...base.items];
  const indexOf = new Map<string, number>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (key !== undefined && !indexOf.has(key)) indexOf.set(key, i);
  });
  for (const item of override.items) {
    const key = keyOf(item);
    const at = key === undefined ? undefined : indexOf.get(key);
    if (at !== undefined) items[at] = item;
    else {
      if (key !== undefined) indexOf.set(key, items.length);
      items.push(item);
    }
  }
  return seqNode(items, override.at);
}

function logging(base: ComposeNode, override: ComposeNode, path: readonly string[]): ComposeNode {
  if (base.kind !== "map" || override.kind !== "map") return override;
  const driver = (node: ComposeMap) => {
    const value = node.entries.get("driver");
    return value?.kind === "scalar" && value.value !== null ? value.value : undefined;
  };
  const earlier = driver(base);
  const later = driver(override);
  return earlier === undefined || later === undefined || earlier === later
    ? mergeMaps(base, override, path)
    : override;
}
