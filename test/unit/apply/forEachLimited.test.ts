import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forEachLimited } from "../../../src/apply/forEachLimited.js";

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("forEachLimited", () => {
  it("runs every item once, never more than the limit at once, starting them in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          const started: number[] = [];
          const finished = new Set<number>();
          let inFlight = 0;
          let most = 0;
          await forEachLimited(
            delays.map((delay, index) => ({ delay, index })),
            limit,
            async ({ delay, index }) => {
              started.push(index);
              most = Math.max(most, ++inFlight);
              await tick(delay);
              inFlight--;
              finished.add(index);
            },
          );
          expect(started).toEqual(delays.map((_, i) => i));
          expect(finished.size).toBe(delays.length);
          expect(most).toBe(Math.min(limit, delays.length));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("goes on with the other items when one rejects, then throws the first error", async () => {
    const done: string[] = [];
    const run = forEachLimited(["a", "bad", "c", "worse", "e"], 2, async (item) => {
      await tick(1);
      if (item === "bad" || item === "worse") throw new Error(item);
      done.push(item);
    });
    await expect(run).rejects.toThrow("bad");
    expect(done.sort()).toEqual(["a", "c", "e"]);
  });

  it("resolves at once for no items, and refuses a limit below one", async () => {
    await expect(forEachLimited([], 4, () => Promise.reject(new Error("never called")))).resolves.toBe(
      undefined,
    );
    await expect(forEachLimited([1], 0, () => Promise.resolve())).rejects.toThrow(
      "limit must be at least 1, got 0",
    );
  });
});
