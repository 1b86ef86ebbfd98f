/**
 * The deepest `[`/`{` nesting in YAML text, found with a quick lexical scan before parsing:
 * the YAML parser takes seconds on a few hundred thousand nested brackets, so such input must
 * be refused before it gets there. Quoted scalars and comments are skipped; brackets inside
 * plain or block scalars are counted, which can only over-estimate, and only matters past the
 * limit. Returns the offset where `limit` was first exceeded, or -1.
 */
export function findExcessiveFlowNesting(text: string, limit: number): number {
  let depth = 0;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === '"') {
      if (ch === "\\") i++;
      else if (ch === '"') quote = undefined;
      continue;
    }
    if (quote === "'") {
      if (ch === "'") {
        if (text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    const previous = i === 0 ? "\n" : text[i - 1];
    const atTokenStart = previous === undefined || /[\s[{,:]/.test(previous);
    if (ch === "#" && (previous === undefined || /\s/.test(previous))) {
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end;
    } else if ((ch === '"' || ch === "'") && atTokenStart) {
      quote = ch;
    } else if (ch === "[" || ch === "{") {
      depth++;
      if (depth > limit) return i;
    } else if ((ch === "]" || ch === "}") && depth > 0) {
      depth--;
    }
  }
  return -1;
}
