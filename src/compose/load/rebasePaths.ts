import { isAbsolute, relative, resolve } from "node:path";
import { mapNode, seqNode } from "./composeNode.js";
import type { ComposeMap, ComposeNode } from "./composeNode.js";

/*
 * A relative path in a service is relative to the file that wrote it. A service that comes
 * through `extends` from a file in another directory keeps pointing at that file's neighbours:
 * compose-go rebases its bind sources and env files onto the extended file's directory. Here they
 * are rewritten relative to the extending file's directory, so that they stay relative and the
 * converter resolves them as it resolves every other path.
 */

/** `service` (from a file in `fromDir`) with its relative bind sources and env files rebased onto `toDir`. */
export function rebaseService(service: ComposeMap, fromDir: string, toDir: string): ComposeMap {
  if (fromDir === toDir) return service;
  const rebase = (path: string) => rebased(path, fromDir, toDir);
  const entries = new Map(service.entries);
  const envFile = entries.get("env_file");
  if (envFile)
    entries.set(
      "env_file",
      mapItems(envFile, (item) => rebaseAt(item, ["path"], rebase)),
    );
  const volumes = entries.get("volumes");
  if (volumes)
    entries.set(
      "volumes",
      mapItems(volumes, (item) =>
        item.kind === "map"
          ? rebaseBindSource(item, rebase)
          : rewrite(item, (text) => shortMount(text, rebase)),
      ),
    );
  return mapNode(entries, service.at);
}

function rebased(path: string, fromDir: string, toDir: string): string {
  if (isAbsolute(path) || path.startsWith("~")) return path;
  const moved = relative(toDir, resolve(fromDir, path));
  if (moved === "") return ".";
  return moved.startsWith("..") ? moved : `./${moved}`;
}

/** A string, a list's items, or (for `env_file`) an item's key. */
function mapItems(node: ComposeNode, each: (item: ComposeNode) => ComposeNode): ComposeNode {
  return node.kind === "seq" ? seqNode(node.items.map(each), node.at) : each(node);
}

function rebaseAt(node: ComposeNode, keys: string[], rebase: (path: string) => string): ComposeNode {
  if (node.kind === "scalar") return rewrite(node, rebase);
  if (node.kind !== "map") return node;
  const entries = new Map(node.entries);
  for (const key of keys) {
    const value = entries.get(key);
    if (value) entries.set(key, rewrite(value, rebase));
  }
  return mapNode(entries, node.at);
}

function rebaseBindSource(mount: ComposeMap, rebase: (path: string) => string): ComposeNode {
  const type = mount.entries.get("type");
  const isBind = type?.kind === "scalar" && type.value === "bind";
  return isBind ? rebaseAt(mount, ["source"], rebase) : mount;
}

/** `SOURCE:TARGET[:MODE]`: a source starting with `.` is a host path (a name is a volume). */
function shortMount(text: string, rebase: (path: string) => string): string {
  const colon = text.indexOf(":");
  if (colon < 0 || !text.startsWith(".")) return text;
  return rebase(text.slice(0, colon)) + text.slice(colon);
}

function rewrite(node: ComposeNode, change: (text: string) => string): ComposeNode {
  if (node.kind !== "scalar" || typeof node.value !== "string") return node;
  const value = change(node.value);
  // A rewritten string no longer stands character for character where the file wrote it.
  return value === node.value ? node : { kind: "scalar", value, at: node.at };
}
