import { isAlias, isMap, isPair, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node } from "yaml";
import type { SourcePosition } from "./types.js";

/**
 * Finds the YAML node at a field path, for pointing errors at the offending value. When the
 * path does not exist (a missing field) the deepest existing node is returned; with
 * `key: true` the key of the last map entry is returned instead of its value.
 */
export function nodeAt(
  doc: Document,
  path: readonly PropertyKey[],
  options: { key?: boolean } = {},
): { node: Node; exact: boolean } | undefined {
  let current: unknown = doc.contents;
  if (!current) return undefined;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isAlias(current)) current = current.resolve(doc);
    let next: unknown;
    keyNode = undefined;
    if (isMap(current)) {
      const pair = current.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (pair) {
        next = pair.value ?? pair.key;
        if (isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key)) keyNode = pair.key;
      }
    } else if (isSeq(current) && typeof segment === "number") {
      next = current.items[segment];
    }
    if (!isNodeLike(next)) return isNodeLike(current) ? { node: current, exact: false } : undefined;
    current = next;
  }
  if (options.key && keyNode) return { node: keyNode, exact: true };
  return isNodeLike(current) ? { node: current, exact: true } : undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function isNodeLike(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

export function positionAt(offset: number, lineCounter: LineCounter, file: string): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col };
}

export function nodePosition(node: Node, lineCounter: LineCounter, file: string): SourcePosition {
  return positionAt(node.range?.[0] ?? 0, lineCounter, file);
}

/**
 * Walks a document without recursion and returns the keys that repeat an earlier key of the
 * same map, and whether nesting goes past `maxDepth`. (The `yaml` package's own `uniqueKeys`
 * check is quadratic in the number of keys: minutes on a 1 MiB file.)
 */
export function inspectDocument(
  doc: Document,
  maxDepth: number,
): { duplicateKeys: Node[]; tooDeep: boolean } {
  const duplicateKeys: Node[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > maxDepth) return { duplicateKeys, tooDeep: true };
    const seen = new Set<string>();
    for (const item of node.items) {
      if (isPair(item)) {
        if (isScalar(item.key)) {
          const key = String(item.key.value);
          if (seen.has(key)) duplicateKeys.push(item.key);
          seen.add(key);
        }
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return { duplicateKeys, tooDeep: false };
}
