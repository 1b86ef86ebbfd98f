/** Longer than any of the yaml library's own sentences; what is beyond can only be quoted input. */
const MAX_LIBRARY_SENTENCE = 100;
/** As much of the input as a message quotes after its sentence: as much as `show` keeps. */
const MAX_LIBRARY_QUOTE = 60;

/**
 * A yaml library message as errors show it: its first line, bounded. Some messages quote a whole
 * token of the file after a colon ("Not a YAML token: ..."), which may be a long line of anything;
 * an error shows where the problem is and at most a short piece of the text there.
 */
export function libraryMessage(message: string): string {
  const line = message.split("\n")[0] ?? "";
  const colon = line.indexOf(": ");
  if (colon < 0) return cut(line, MAX_LIBRARY_SENTENCE);
  return cut(line.slice(0, colon + 2), MAX_LIBRARY_SENTENCE) + cut(line.slice(colon + 2), MAX_LIBRARY_QUOTE);
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  // By code points, so no half of a surrogate pair is left; never spreading the whole (1 MB) text.
  return `${[...text.slice(0, 2 * max)].slice(0, max - 3).join("")}...`;
}
