import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../../../../src/manifest/limits.js";
import { aliasBombLines } from "../../../support/hostileYaml.js";
import { failures, loaded } from "./memoryProject.js";

/** Hostile input fails with one clear error, in CPU time that does not grow out of proportion. */
async function refused(text: string): Promise<{ errors: string[]; ms: number }> {
  const started = process.cpuUsage();
  const errors = await failures({ "a.yml": text }, ["a.yml"]);
  const used = process.cpuUsage(started);
  return { errors, ms: (used.user + used.system) / 1000 };
}

describe("hostile compose files", () => {
  it("an alias bomb (billion laughs)", async () => {
    const levels = aliasBombLines();
    const { errors, ms } = await refused(`${levels.join("\n")}\nservices: {}\n`);
    expect(errors).toEqual([expect.stringMatching(/^a\.yml:1:1: too many YAML aliases \(more than 100\)/)]);
    expect(ms).toBeLessThan(1000);
    // A few aliases are what compose files are made of.
    await expect(
      loaded({ "a.yml": `${levels.slice(0, 2).join("\n")}\nservices: {}\n` }, ["a.yml"]),
    ).resolves.toBeTruthy();
  });

  it("deep nesting, in flow and block style", async () => {
    const flow = await refused(`services: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    expect(flow.errors).toEqual(["a.yml:1:75: nesting is deeper than 64 levels; this is not a compose file"]);
    const lines = Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k:`);
    const block = await refused(`${lines.join("\n")} 1\n`);
    expect(block.errors).toEqual([
      "a.yml:65:1: nesting is deeper than 64 levels; this is not a compose file",
    ]);
    expect(flow.ms + block.ms).toBeLessThan(1000);
  });

  it("binary garbage and a file over the size limit", async () => {
    expect((await refused("services:\0{}")).errors).toEqual([
      "a.yml:1:10: not a text file (it contains NUL bytes)",
    ]);
    const big = await refused(`services: {}\n# ${"x".repeat(MAX_FILE_BYTES)}\n`);
    expect(big.errors).toEqual([
      expect.stringMatching(/^a\.yml:1:1: the file is too large \(\d+ bytes; the limit is 1048576\)/),
    ]);
  });

  it("a self-referencing alias is a YAML error, not a hang", async () => {
    const { errors } = await refused("x: &x [*x]\nservices: {}\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^a\.yml:\d+:\d+: /);
  });

  it("a key named __proto__ is a key like any other", async () => {
    const { document } = await loaded({ "a.yml": "services:\n  __proto__: {image: x}\n" }, ["a.yml"]);
    expect(Object.keys(document.root.services as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).image).toBeUndefined();
  });
});
