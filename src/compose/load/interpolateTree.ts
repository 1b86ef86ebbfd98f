import type { SourcePosition } from "../../manifest/types.js";
import type { ComposeLoadError, ComposePath } from "../composeDocument.js";
import { mapNode, seqNode } from "./composeNode.js";
import type { ComposeMap, ComposeNode } from "./composeNode.js";
import { problemAt } from "./problem.js";
import { interpolateString } from "./template.js";
import type { Lookup } from "./template.js";
import { castInterpolated } from "./typeCasts.js";

export interface UnsetVariable {
  name: string;
  at: SourcePosition;
}

export interface Interpolated {
  root: ComposeMap;
  errors: ComposeLoadError[];
  /** Each use of a variable that is not set and has no default, in the order of the file. */
  unset: UnsetVariable[];
}

/** Substitutes variables in every string value of a file's tree (keys are left as written). Pure. */
export function interpolateTree(root: ComposeMap, lookup: Lookup): Interpolated {
  const errors: ComposeLoadError[] = [];
  const unset: UnsetVariable[] = [];
  const walk = (node: ComposeNode, path: ComposePath): ComposeNode => {
    if (node.kind === "seq")
      return seqNode(
        node.items.map((item, i) => walk(item, [...path, i])),
        node.at,
      );
    if (node.kind === "map") {
      const entries = new Map<string, ComposeNode>();
      for (const [key, value] of node.entries) entries.set(key, walk(value, [...path, key]));
      return mapNode(entries, node.at);
    }
    if (typeof node.value !== "string") return node;
    const result = interpolateString(node.value, lookup);
    const inside = (offset: number): SourcePosition =>
      node.verbatim === undefined ? node.at : { ...node.at, col: node.at.col + node.verbatim + offset };
    if (!result.ok) {
      const fix =
        result.variable === undefined ? "" : `; set ${result.variable} in the environment or the env file`;
      errors.push(problemAt(inside(result.offset), path, `${result.message}${fix}`));
      return node;
    }
    for (const { name, offset } of result.unset) unset.push({ name, at: inside(offset) });
    if (result.value === node.value) return node;
    const cast = castInterpolated(path, result.value);
    if ("error" in cast) {
      errors.push(problemAt(node.at, path, `after interpolation the value must be ${cast.error}`));
      return node;
    }
    // Its characters no longer stand where the file wrote them.
    return { kind: "scalar", value: cast.value, at: node.at };
  };
  return { root: walk(root, []) as ComposeMap, errors, unset };
}
