/**
 * Calls `fn` on every item, at most `limit` at once, starting them in order; resolves when all
 * have finished. A rejection does not stop the other items: the first one is thrown at the end.
 *
 * A fixed list needs no queue: `limit` workers take the next item as they finish one. Against
 * p-queue this spends less of the CPU that a 2-core machine's dockerd is short of while it
 * creates a thousand services (BENCHMARKS.md).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
