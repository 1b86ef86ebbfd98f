/**
 * Runs `pairs` pairs of the two sides in one run, the side that goes first alternating from pair
 * to pair so that neither always runs on the engine the other just left; `after(pair)` is called
 * once both sides of a pair have run (each side records its own measurements).
 */
export async function alternatePairs(
  pairs: number,
  ours: () => Promise<void>,
  theirs: () => Promise<void>,
  after: (pair: number) => void,
): Promise<void> {
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      await ours();
      await theirs();
    } else {
      await theirs();
      await ours();
    }
    after(pair);
  }
}
