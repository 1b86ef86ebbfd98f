import type { ComposeNode } from "./composeNode.js";

/*
 * What identifies an item of the service lists that compose merges item by item rather than
 * appends: a port by its published port and protocol, a volume by its container path, a secret
 * or config by its source. Both the short (`"8080:80/udp"`, `"data:/var/lib/data:ro"`, `"db_password"`)
 * and the long (mapping) syntax are read. Undefined: the item has no key and is appended.
 */

export function portKey(item: ComposeNode): string | undefined {
  if (item.kind === "scalar") {
    if (typeof item.value === "number") return `target ${item.value}/tcp`;
    if (typeof item.value !== "string") return undefined;
    const slash = item.value.lastIndexOf("/");
    const protocol = slash < 0 ? "tcp" : item.value.slice(slash + 1);
    const spec = slash < 0 ? item.value : item.value.slice(0, slash);
    // A host IP in brackets (`[::1]:8080:80`) holds colons of its own.
    const parts = spec.replace(/^\[[^\]]*\]:/, "").split(":");
    const target = parts[parts.length - 1];
    const published = parts.length > 1 ? parts[parts.length - 2] : "";
    return published !== "" ? `published ${published}/${protocol}` : `target ${target}/${protocol}`;
  }
  if (item.kind !== "map") return undefined;
  const field = (name: string) => {
    const node = item.entries.get(name);
    return node?.kind === "scalar" && node.value !== null && node.value !== ""
      ? String(node.value)
      : undefined;
  };
  const protocol = field("protocol") ?? "tcp";
  const published = field("published");
  if (published !== undefined) return `published ${published}/${protocol}`;
  const target = field("target");
  return target === undefined ? undefined : `target ${target}/${protocol}`;
}

export function volumeKey(item: ComposeNode): string | undefined {
  if (item.kind === "scalar" && typeof item.value === "string") {
    const parts = item.value.split(":");
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return mappingField(item, "target");
}

export function sourceKey(item: ComposeNode): string | undefined {
  if (item.kind === "scalar" && typeof item.value === "string") return item.value;
  return mappingField(item, "source");
}

function mappingField(item: ComposeNode, name: string): string | undefined {
  if (item.kind !== "map") return undefined;
  const node = item.entries.get(name);
  return node?.kind === "scalar" && typeof node.value === "string" ? node.value : undefined;
}
