/*
 * A command written as one string, split into words as `docker stack deploy` splits it
 * (google/shlex): blanks separate words, '...' is literal, "..." keeps blanks and takes `\` before
 * `"`, `\`, `$`, backquote and a newline, a `\` outside quotes takes the next character literally,
 * and a `#` that starts a word starts a comment.
 */

export function shellWords(text: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      push();
      i += 1;
    } else if (c === "#" && word === undefined) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: "a single quote is not closed" };
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let out = "";
      let j = i + 1;
      for (; j < text.length && text.charAt(j) !== '"'; j += 1) {
        const d = text.charAt(j);
        if (d === "\\" && j + 1 < text.length && '"\\$`\n'.includes(text.charAt(j + 1))) {
          j += 1;
          if (text.charAt(j) !== "\n") out += text.charAt(j);
        } else out += d;
      }
      if (j >= text.length) return { error: "a double quote is not closed" };
      word = (word ?? "") + out;
      i = j + 1;
    } else if (c === "\\") {
      if (i + 1 >= text.length) return { error: "a backslash ends the text" };
      const next = text.charAt(i + 1);
      if (next !== "\n") word = (word ?? "") + next;
      i += 2;
    } else {
      word = (word ?? "") + c;
      i += 1;
    }
  }
  push();
  return { words };
}
