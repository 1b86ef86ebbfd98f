import { MAX_DEPTH, MAX_DOCUMENTS, MAX_FLOW_ITEMS, MAX_LINES } from "./limits.js";

/**
 * A quick lexical scan of YAML text, before parsing, for input the parser would take seconds
 * on or overflow its stack with: too many lines or flow items, or nesting too deep. Quoted
 * scalars and comments are skipped; brackets, commas and indentation inside plain or block
 * scalars are counted, which can only over-estimate, and only matters past the limits.
 * Returns the offset of the first excess and what it is, or undefined. `what` names what the file
 * should have been, for the message about nesting.
 */
export function findExcessiveStructure(
  text: string,
  what = "an App manifest",
): { offset: number; message: string } | undefined {
  let flowDepth = 0;
  let flowItems = 0;
  let lines = 1;
  let documents = 0;
  const indents: number[] = [];
  let quote: "'" | '"' | undefined;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") {
      lines++;
      atLineStart = quote === undefined;
      if (lines > MAX_LINES) {
        return {
          offset: i + 1,
          message: `the file has more than ${MAX_LINES} lines; split it into several files`,
        };
      }
      continue;
    }
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
    if (atLineStart && ch === "-" && text.startsWith("---", i) && /^\s?$/.test(text[i + 3] ?? "")) {
      if (++documents > MAX_DOCUMENTS) {
        return {
          offset: i,
          message: `the file has more than ${MAX_DOCUMENTS} documents; split it into several files`,
        };
      }
    }
    if (atLineStart && flowDepth === 0) {
      atLineStart = false;
      const depth = blockDepth(text, i, indents);
      if (depth > MAX_DEPTH) return { offset: i, message: tooDeep(what) };
    }
    const previous = i === 0 ? "\n" : text[i - 1];
    const atTokenStart = previous === undefined || /[\s[{,:]/.test(previous);
    if (ch === "#" && (previous === undefined || /\s/.test(previous))) {
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end - 1;
    } else if ((ch === '"' || ch === "'") && atTokenStart) {
      quote = ch;
    } else if (ch === "[" || ch === "{") {
      flowDepth++;
      if (flowDepth > MAX_DEPTH) return { offset: i, message: tooDeep(what) };
    } else if ((ch === "]" || ch === "}") && flowDepth > 0) {
      flowDepth--;
    } else if (ch === "," && flowDepth > 0 && ++flowItems > MAX_FLOW_ITEMS) {
      return {
        offset: i,
        message: `the file has more than ${MAX_FLOW_ITEMS} flow items; split it into several files`,
      };
    }
  }
  return undefined;
}

function tooDeep(what: string): string {
  return `nesting is deeper than ${MAX_DEPTH} levels; this is not ${what}`;
}

/**
 * Updates the stack of open indentation levels with the line starting at `start` and returns
 * its depth. `- ` and `? ` indicators open a level each, like deeper indentation does.
 */
function blockDepth(text: string, start: number, indents: number[]): number {
  let column = 0;
  let i = start;
  while (text[i] === " ") {
    i++;
    column++;
  }
  const ch = text[i];
  if (ch === undefined || ch === "\n" || ch === "\r" || ch === "#") return indents.length;
  while (indents.length > 0 && indents[indents.length - 1]! >= column) indents.pop();
  indents.push(column);
  while ((text[i] === "-" || text[i] === "?") && (text[i + 1] === " " || text[i + 1] === "\t")) {
    i += 2;
    column += 2;
    while (text[i] === " ") {
      i++;
      column++;
    }
    indents.push(column);
  }
  return indents.length;
}
