import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectGrownHeap, fullCollection } from "../../../src/controller/heapCollector.js";

const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("collectGrownHeap", () => {
  it("collects once the heap has grown past the threshold and settled, and not before", async () => {
    let collections = 0;
    let kept: string[][] = [];
    const stop = collectGrownHeap({
      checkMs: 20,
      growthBytes: 8 * MB,
      settledBytes: 4 * MB,
      collect: () => collections++,
    });
    try {
      // The control: a heap that does not grow is left alone.
      await sleep(150);
      expect(collections).toBe(0);
      kept = Array.from({ length: 64 }, (_, i) =>
        Array.from({ length: 4096 }, (_, j) => `${i}:${j}:${"x".repeat(16)}`),
      );
      await sleep(150);
      expect(collections).toBe(1);
    } finally {
      stop();
    }
    expect(kept.length).toBe(64);
  });
});

describe("fullCollection", () => {
  it("gives V8's full collection, which frees unreachable objects", () => {
    const gc = fullCollection();
    expect(gc).toBeTypeOf("function");
    gc!();
    const before = getHeapStatistics().used_heap_size;
    let garbage: string[][] | undefined = Array.from({ length: 64 }, (_, i) =>
      Array.from({ length: 4096 }, (_, j) => `${i}:${j}:${"x".repeat(16)}`),
    );
    const grown = getHeapStatistics().used_heap_size;
    expect(grown - before).toBeGreaterThan(8 * MB);
    expect(garbage.length).toBe(64);
    garbage = undefined;
    gc!();
    expect(getHeapStatistics().used_heap_size - before).toBeLessThan((grown - before) / 4);
  });
});
