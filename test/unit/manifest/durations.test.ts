import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DURATION_PATTERN, durationNs, formatDuration } from "../../../src/manifest/durations.js";

const S = 1e9;

describe("durationNs: Go-style durations in nanoseconds", () => {
  it.each([
    ["0", 0],
    ["0s", 0],
    ["30s", 30 * S],
    ["1m30s", 90 * S],
    ["500ms", 0.5 * S],
    ["1h", 3600 * S],
    ["1.5h", 5400 * S],
    ["2h45m10s", (2 * 3600 + 45 * 60 + 10) * S],
    [".5s", 0.5 * S],
    ["1.s", S],
    ["0.7s", 700_000_000],
    ["1.000000001s", 1_000_000_001],
    ["250us", 250_000],
    ["250µs", 250_000],
    ["10ns", 10],
    ["1m0.5s", 60.5 * S],
  ])("%s is %d ns", (text, ns) => {
    expect(durationNs(text)).toEqual({ ns });
  });

  it.each([
    ["30", 'add a unit: "30s"'],
    ["1.5", 'add a unit: "1.5s"'],
    ["-1s", "remove the sign"],
    ["+1s", "remove the sign"],
    ["", '(got "")'],
    ["1d", '(got "1d")'],
    ["s", '(got "s")'],
    ["1m 30s", '(got "1m 30s")'],
    ["1S", '(got "1S")'],
    ["ms", '(got "ms")'],
    ["1.2.3s", '(got "1.2.3s")'],
  ])("%j is refused, saying %s", (text, says) => {
    const read = durationNs(text);
    expect(read).toEqual({ error: expect.stringContaining(says) as unknown });
    expect((read as { error: string }).error).toMatch(/^must be a duration like "30s", "1m30s"/);
  });

  it("refuses a duration longer than nanoseconds can count exactly", () => {
    expect(durationNs("2500h")).toEqual({ ns: 2500 * 3600 * S });
    expect(durationNs("2600h")).toEqual({ error: 'must be at most about 104 days (got "2600h")' });
  });

  it("the JSON Schema's pattern accepts what durationNs accepts, and refuses the rest", () => {
    const pattern = new RegExp(DURATION_PATTERN, "u");
    for (const ok of ["0", "30s", "1m30s", ".5s", "1.s", "250µs", "1h2m3s4ms5us6ns"]) {
      expect(pattern.test(ok), ok).toBe(true);
      expect(durationNs(ok)).toHaveProperty("ns");
    }
    for (const bad of ["30", "-1s", "", "1d", "s", "1m 30s", "."]) {
      expect(pattern.test(bad), bad).toBe(false);
      expect(durationNs(bad)).toHaveProperty("error");
    }
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [10, "10ns"],
    [1500, "1.5µs"],
    [500_000_000, "500ms"],
    [30 * S, "30s"],
    [90 * S, "1m30s"],
    [3600 * S, "1h"],
    [60.5 * S, "1m0.5s"],
  ])("%d ns is %s", (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });

  it("reads back as the same number of nanoseconds, for any duration", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 * 3600 * S }), (ns) => {
        expect(durationNs(formatDuration(ns))).toEqual({ ns });
      }),
      { numRuns: 2000 },
    );
  });
});
