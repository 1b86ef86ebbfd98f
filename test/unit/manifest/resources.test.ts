import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCpus, formatMemory, memoryBytes, nanoCpus } from "../../../src/manifest/resources.js";

describe("memoryBytes", () => {
  it.each([
    ["512M", 512 * 1024 ** 2],
    ["512m", 512 * 1024 ** 2],
    ["512MB", 512 * 1024 ** 2],
    ["512Mi", 512 * 1024 ** 2],
    ["512MiB", 512 * 1024 ** 2],
    ["1.5G", 1.5 * 1024 ** 3],
    ["64kb", 64 * 1024],
    ["2T", 2 * 1024 ** 4],
    ["100", 100],
    ["100b", 100],
    ["1 G", 1024 ** 3],
    [" 1G ", 1024 ** 3],
    [4096, 4096],
  ])("reads %j as %d bytes", (text, bytes) => {
    expect(memoryBytes(text)).toBe(bytes);
  });

  it.each([
    "",
    "M",
    "512X",
    "512i",
    "512ib",
    "-1M",
    "1e3",
    "0",
    "0.1",
    "1..5G",
    "1.5.2G",
    "512 MB extra",
    0,
    -5,
    1.5,
  ])("refuses %j", (text) => {
    expect(memoryBytes(text)).toBeUndefined();
  });
});

describe("formatMemory and formatCpus", () => {
  it("writes the largest exact unit, and reads back as the same amount", () => {
    expect(formatMemory(1024 ** 3)).toBe("1G");
    expect(formatMemory(1.5 * 1024 ** 3)).toBe("1536M");
    expect(formatMemory(1000)).toBe("1000B");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 50 }), (bytes) => {
        expect(memoryBytes(formatMemory(bytes))).toBe(bytes);
      }),
    );
  });

  it("converts CPUs to nano-CPUs and back without float noise", () => {
    expect(nanoCpus(0.1)).toBe(100_000_000);
    expect(nanoCpus(1.15)).toBe(1_150_000_000);
    expect(formatCpus(nanoCpus(0.3))).toBe("0.3");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 102_400 }), (hundredths) => {
        const cpus = hundredths / 100;
        expect(Number(formatCpus(nanoCpus(cpus)))).toBe(cpus);
      }),
    );
  });
});
