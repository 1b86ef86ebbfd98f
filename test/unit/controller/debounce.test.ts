import { describe, expect, it } from "vitest";
import { debounce } from "../../../src/controller/debounce.js";
import { ManualClock } from "../../support/manualClock.js";

describe("debounce", () => {
  it("calls once after the quiet window following the last event", () => {
    const timers = new ManualClock();
    let calls = 0;
    const d = debounce(() => calls++, { quietMs: 150, maxWaitMs: 1000 }, timers);
    d.trigger();
    timers.advance(100);
    d.trigger();
    timers.advance(149);
    expect(calls).toBe(0);
    timers.advance(1);
    expect(calls).toBe(1);
    timers.advance(2000);
    expect(calls).toBe(1);
  });

  it("calls at the maximum wait when events never stop, then starts a new burst", () => {
    const timers = new ManualClock();
    const at: number[] = [];
    const d = debounce(() => at.push(timers.now()), { quietMs: 150, maxWaitMs: 1000 }, timers);
    for (let t = 0; t < 1500; t += 50) {
      d.trigger();
      timers.advance(50);
    }
    timers.advance(500);
    expect(at).toEqual([1000, 1600]);
  });

  it("signals the first event of each burst at once, and only the first", () => {
    const timers = new ManualClock();
    const seen: string[] = [];
    const d = debounce(
      () => seen.push(`call@${timers.now()}`),
      { quietMs: 50, maxWaitMs: 1000, onBurstStart: () => seen.push(`start@${timers.now()}`) },
      timers,
    );
    d.trigger();
    timers.advance(20);
    d.trigger();
    timers.advance(60);
    d.trigger();
    timers.advance(60);
    expect(seen).toEqual(["start@0", "call@70", "start@80", "call@130"]);
  });

  it("cancel drops a pending call", () => {
    const timers = new ManualClock();
    let calls = 0;
    const d = debounce(() => calls++, { quietMs: 150, maxWaitMs: 1000 }, timers);
    d.trigger();
    d.cancel();
    timers.advance(2000);
    expect(calls).toBe(0);
  });
});
