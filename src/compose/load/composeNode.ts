import type { SourcePosition } from "../../manifest/types.js";
import type { ComposePath } from "../composeDocument.js";

/*
 * A compose tree whose every value carries where it was written. Interpolation, `extends` and
 * merging all work on it, so that a value keeps its position through each step, and the merged
 * project can say which file set each value last.
 */

export type ComposeScalar = string | number | boolean | null;

export type ComposeNode =
  | {
      kind: "scalar";
      value: ComposeScalar;
      at: SourcePosition;
      /**
       * When a string is written on one line as it reads (no escapes, no folding), how many
       * characters after `at` it starts (1 past a quote): then a column inside it is exact.
       */
      verbatim?: number;
    }
  | { kind: "seq"; items: ComposeNode[]; at: SourcePosition }
  | { kind: "map"; entries: Map<string, ComposeNode>; at: SourcePosition };

export type ComposeMap = Extract<ComposeNode, { kind: "map" }>;
export type ComposeSeq = Extract<ComposeNode, { kind: "seq" }>;

export type ComposeScalarNode = Extract<ComposeNode, { kind: "scalar" }>;

export function scalarNode(value: ComposeScalar, at: SourcePosition): ComposeScalarNode {
  return { kind: "scalar", value, at };
}

export function mapNode(entries: Map<string, ComposeNode>, at: SourcePosition): ComposeMap {
  return { kind: "map", entries, at };
}

export function seqNode(items: ComposeNode[], at: SourcePosition): ComposeSeq {
  return { kind: "seq", items, at };
}

/** The plain JSON value of a node: what the converter reads. */
export function toPlain(node: ComposeNode): unknown {
  switch (node.kind) {
    case "scalar":
      return node.value;
    case "seq":
      return node.items.map(toPlain);
    case "map": {
      // A null prototype: a compose key named `__proto__` is a key like any other.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [key, value] of node.entries) out[key] = toPlain(value);
      return out;
    }
  }
}

/** Where the value at `path` was written, or its nearest written ancestor. */
export function locateIn(root: ComposeNode, path: ComposePath): SourcePosition {
  let node = root;
  for (const segment of path) {
    const next =
      node.kind === "map"
        ? node.entries.get(String(segment))
        : node.kind === "seq" && typeof segment === "number"
          ? node.items[segment]
          : undefined;
    if (!next) break;
    node = next;
  }
  return node.at;
}

/** A path as messages print it: `services.web.ports[0]`. */
export function formatComposePath(path: ComposePath): string {
  return path
    .map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join("");
}
