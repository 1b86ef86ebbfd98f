import { describe, expect, it } from "vitest";
import { WorkQueue, backoffDelay, DEFAULT_BACKOFF } from "../../../src/controller/workQueue.js";
import type { HandlerOutcome } from "../../../src/controller/workQueue.js";
import { ManualClock } from "../../support/manualClock.js";

/** A promise with its resolve function, to hold a handler run open until the test says so. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every pending microtask and p-queue step run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

describe("backoffDelay", () => {
  it("grows by the factor, is capped, and keeps half of the delay fixed (equal jitter)", () => {
    const atZero = [1, 2, 3, 4, 10, 20].map((n) => backoffDelay(n, DEFAULT_BACKOFF, () => 0));
    expect(atZero).toEqual([50, 100, 200, 400, 15_000, 15_000]);
    const atHalf = [1, 2, 3, 20].map((n) => backoffDelay(n, DEFAULT_BACKOFF, () => 0.5));
    expect(atHalf).toEqual([75, 150, 300, 22_500]);
    const nearOne = backoffDelay(20, DEFAULT_BACKOFF, () => 0.999999);
    expect(nearOne).toBe(30_000);
  });
});

describe("WorkQueue", () => {
  it("collapses duplicate adds of a waiting key into one run", async () => {
    const gate = deferred();
    const runs: string[] = [];
    const q = new WorkQueue({
      concurrency: 1,
      handler: async (key) => {
        runs.push(key);
        if (key === "blocker") await gate.promise;
        return { result: "ok" };
      },
    });
    q.add("blocker");
    await flush();
    for (let i = 0; i < 50; i++) {
      q.add("a");
      q.add("b");
    }
    expect(q.depth).toBe(2);
    gate.resolve();
    await q.onIdle();
    expect(runs).toEqual(["blocker", "a", "b"]);
  });

  it("never runs one key twice at once, and re-runs it once when added while in flight", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const gates = [deferred(), deferred()];
    const q = new WorkQueue({
      concurrency: 8,
      handler: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const gate = gates[runs++];
        await gate?.promise;
        inFlight--;
        return { result: "ok" };
      },
    });
    q.add("app");
    await flush();
    expect(q.inFlightCount).toBe(1);
    for (let i = 0; i < 20; i++) q.add("app");
    await flush();
    expect(inFlight).toBe(1);
    gates[0]!.resolve();
    await flush();
    expect(runs).toBe(2);
    gates[1]!.resolve();
    await q.onIdle();
    expect(runs).toBe(2);
    expect(maxInFlight).toBe(1);
  });

  it("runs different keys concurrently, up to the concurrency bound", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const gate = deferred();
    const q = new WorkQueue({
      concurrency: 3,
      handler: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await gate.promise;
        inFlight--;
        return { result: "ok" };
      },
    });
    for (let i = 0; i < 10; i++) q.add(`app-${i}`);
    await flush();
    expect(inFlight).toBe(3);
    expect(q.depth).toBe(7);
    gate.resolve();
    await q.onIdle();
    expect(maxInFlight).toBe(3);
    expect(q.depth).toBe(0);
  });

  it("retries with exact, recorded backoff delays and resets after a success", async () => {
    const timer = new ManualClock();
    const script: HandlerOutcome["result"][] = ["retry", "retry", "retry", "ok", "retry"];
    const runs: string[] = [];
    const q = new WorkQueue({
      handler: () => {
        const result = script[runs.length] ?? "ok";
        runs.push(result);
        return Promise.resolve({ result } as HandlerOutcome);
      },
      backoff: { baseMs: 100, factor: 2, capMs: 30_000 },
      clock: timer,
      random: () => 0.5,
    });
    q.add("app");
    await q.onIdle();
    expect(timer.delays).toEqual([75]);
    expect(q.failures("app")).toBe(1);
    timer.advance(75);
    await q.onIdle();
    expect(timer.delays).toEqual([75, 150]);
    timer.advance(150);
    await q.onIdle();
    expect(timer.delays).toEqual([75, 150, 300]);
    expect(q.failures("app")).toBe(3);
    timer.advance(300);
    await q.onIdle();
    expect(runs).toEqual(["retry", "retry", "retry", "ok"]);
    expect(q.failures("app")).toBe(0);
    expect(timer.pending).toBe(0);
    // After the success, the next failure starts from the base delay again.
    q.add("app");
    await q.onIdle();
    expect(timer.delays).toEqual([75, 150, 300, 75]);
  });

  it("caps the delay", async () => {
    const timer = new ManualClock();
    const q = new WorkQueue({
      handler: () => Promise.resolve({ result: "retry" }),
      backoff: { baseMs: 1000, factor: 10, capMs: 5000 },
      clock: timer,
      random: () => 0,
    });
    q.add("app");
    for (let i = 0; i < 4; i++) {
      await q.onIdle();
      timer.advance(10_000);
    }
    await q.onIdle();
    expect(timer.delays).toEqual([500, 2500, 2500, 2500, 2500]);
  });

  it("does not retry a terminal result until the key is added again", async () => {
    const timer = new ManualClock();
    let runs = 0;
    const q = new WorkQueue({
      handler: () => {
        runs++;
        return Promise.resolve({ result: "terminal", error: new Error("rejected") });
      },
      clock: timer,
    });
    q.add("app");
    await q.onIdle();
    timer.advance(60_000);
    await q.onIdle();
    expect(runs).toBe(1);
    expect(timer.delays).toEqual([]);
    q.add("app");
    await q.onIdle();
    expect(runs).toBe(2);
  });

  it("treats a handler that throws as retryable", async () => {
    const timer = new ManualClock();
    const outcomes: string[] = [];
    const q = new WorkQueue({
      handler: () => Promise.reject(new Error("boom")),
      clock: timer,
      random: () => 0,
      onProcessed: (_key, outcome) => outcomes.push(outcome.result),
    });
    q.add("app");
    await q.onIdle();
    expect(outcomes).toEqual(["retry"]);
    expect(timer.delays).toEqual([50]);
  });

  it("addAfter keeps the earlier of two schedules", async () => {
    const timer = new ManualClock();
    const runs: number[] = [];
    const q = new WorkQueue({
      handler: () => {
        runs.push(timer.now());
        return Promise.resolve({ result: "ok" });
      },
      clock: timer,
    });
    q.addAfter("app", 1000);
    q.addAfter("app", 5000);
    q.addAfter("app", 200);
    expect(q.delayedCount).toBe(1);
    timer.advance(200);
    await q.onIdle();
    timer.advance(10_000);
    await q.onIdle();
    expect(runs).toEqual([200]);
  });

  it("shutdown waits for in-flight work, drops queued and delayed keys, and refuses new ones", async () => {
    const timer = new ManualClock();
    const gate = deferred();
    const runs: string[] = [];
    let finished = false;
    const q = new WorkQueue({
      concurrency: 1,
      handler: async (key) => {
        runs.push(key);
        if (key === "slow") {
          await gate.promise;
          finished = true;
        }
        return { result: "ok" };
      },
      clock: timer,
    });
    q.add("slow");
    await flush();
    q.add("queued");
    q.addAfter("later", 100);
    let stopped = false;
    const stopping = q.shutdown().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    expect(q.add("new")).toBe(false);
    expect(q.addAfter("new", 10)).toBe(false);
    gate.resolve();
    await stopping;
    expect(finished).toBe(true);
    timer.advance(1000);
    await flush();
    expect(runs).toEqual(["slow"]);
  });

  it("rejects a bad concurrency with a message saying what was expected and what came", () => {
    expect(() => new WorkQueue({ concurrency: 0, handler: () => Promise.resolve({ result: "ok" }) })).toThrow(
      "Expected `concurrency` to be an integer from 1 and up, got `0` (number)",
    );
  });

  it("keeps going when the onProcessed observer throws", async () => {
    let runs = 0;
    const q = new WorkQueue({
      handler: () => {
        runs++;
        return Promise.resolve({ result: "ok" });
      },
      onProcessed: () => {
        throw new Error("observer bug");
      },
    });
    q.add("a");
    await q.onIdle();
    q.add("a");
    await q.onIdle();
    expect(runs).toBe(2);
  });
});
