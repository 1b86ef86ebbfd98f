import { isAlias, isMap, isPair, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node, Pair, Scalar } from "yaml";
import { positionAt } from "../../manifest/yamlNodes.js";
import type { SourcePosition } from "../../manifest/types.js";
import { mapNode, scalarNode, seqNode } from "./composeNode.js";
import type { ComposeMap, ComposeNode, ComposeScalar } from "./composeNode.js";

/** A YAML structure compose cannot read: a key that is not a name, a bad merge key, a cyclic alias. */
export class ComposeYamlError extends Error {
  constructor(
    readonly at: SourcePosition,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The positioned tree of a parsed YAML document. Aliases are expanded (the document was checked
 * for alias bombs before); a value reached through an alias keeps the position of the anchored
 * text, where it was written. Merge keys (`<<: *defaults`, `<<: [*a, *b]`) are applied as YAML 1.1
 * defines them, as compose does: keys written in the map win, then the merged maps in order.
 */
export function yamlToNode(doc: Document, text: string, lineCounter: LineCounter, file: string): ComposeNode {
  const at = (node: Node | null | undefined, fallback: SourcePosition): SourcePosition =>
    node?.range ? positionAt(node.range[0], lineCounter, file) : fallback;

  // The collections being converted: an alias to one of them would expand forever.
  const open = new Set<unknown>();
  const convert = (node: unknown, fallback: SourcePosition): ComposeNode => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (open.has(target))
        throw new ComposeYamlError(at(node, fallback), "an alias refers to a collection that contains it");
      return target ? convert(target, at(target, fallback)) : scalarNode(null, at(node, fallback));
    }
    if (!isSeq(node) && !isMap(node)) return convertScalar(node, fallback);
    const here = at(node, fallback);
    open.add(node);
    try {
      return isSeq(node)
        ? seqNode(
            node.items.map((item) => convert(item, here)),
            here,
          )
        : convertMap(node.items, here);
    } finally {
      open.delete(node);
    }
  };

  const convertScalar = (node: unknown, fallback: SourcePosition): ComposeNode => {
    if (isScalar(node)) {
      const scalar = scalarNode(scalarValue(node.value), at(node, fallback));
      const shift = verbatimShift(node, text);
      return shift === undefined ? scalar : { ...scalar, verbatim: shift };
    }
    return scalarNode(null, fallback);
  };

  const convertMap = (pairs: readonly Pair[], here: SourcePosition): ComposeMap => {
    const own = new Map<string, ComposeNode>();
    const merged: ComposeMap[] = [];
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const keyAt = at(pair.key as Node | null, here);
      if (isMergeKey(pair.key)) {
        merged.push(...mergeSources(pair.value, keyAt));
        continue;
      }
      const key = keyName(pair.key, keyAt);
      // A key with no value (`web:`) is null, positioned at its key.
      own.set(key, pair.value === null ? scalarNode(null, keyAt) : convert(pair.value, keyAt));
    }
    if (merged.length === 0) return mapNode(own, here);
    const entries = new Map<string, ComposeNode>();
    for (const source of merged)
      for (const [key, value] of source.entries) if (!entries.has(key)) entries.set(key, value);
    for (const [key, value] of own) entries.set(key, value);
    return mapNode(entries, here);
  };

  const mergeSources = (value: unknown, keyAt: SourcePosition): ComposeMap[] => {
    const sources = isSeq(value) ? value.items : [value];
    return sources.map((source) => {
      const node = convert(source, keyAt);
      if (node.kind !== "map")
        throw new ComposeYamlError(
          node.at,
          "a merge key (<<) takes a map or a list of maps, such as <<: *defaults",
        );
      return node;
    });
  };

  return convert(doc.contents, { file, line: 1, col: 1 });
}

function verbatimShift(node: Scalar, text: string): number | undefined {
  if (typeof node.value !== "string" || !node.range) return undefined;
  const shift =
    node.type === "PLAIN" ? 0 : node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE" ? 1 : undefined;
  if (shift === undefined) return undefined;
  const start = node.range[0] + shift;
  const written = text.slice(start, start + node.value.length);
  return written === node.value && !written.includes("\n") ? shift : undefined;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === "<<" && key.type === "PLAIN";
}

function keyName(key: unknown, at: SourcePosition): string {
  if (isScalar(key)) {
    const value = key.value;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
      return String(value);
  }
  throw new ComposeYamlError(at, "a key must be a name (a string or a number), not a list, a map or null");
}

function scalarValue(value: unknown): ComposeScalar {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  // The core schema yields nothing else; a custom tag's value is kept as its text.
  return value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? null);
}
