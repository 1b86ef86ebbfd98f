/**
 * The lines of a "billion laughs" YAML: each of `levels` anchors holds ten aliases of the one
 * before, so expanding the last makes 10^levels strings out of a few hundred bytes.
 */
export function aliasBombLines(levels = 12): string[] {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  return lines;
}
