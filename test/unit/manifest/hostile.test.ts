import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeManifest, firstInvalidUtf8 } from "../../../src/manifest/decodeManifest.js";
import { MAX_FILE_BYTES } from "../../../src/manifest/limits.js";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import { readManifestFile } from "../../../src/manifest/readManifestFile.js";
import { formatError } from "../../../src/manifest/types.js";
import { aliasBombLines } from "../../support/hostileYaml.js";

const dir = mkdtempSync(join(tmpdir(), "alacrity-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Reads and parses like the loader does, and measures it: hostile input must fail fast. The
 * measure is CPU time, not wall time, so that a machine busy with other tests does not make
 * the bound flaky; what it catches is work that grows out of proportion (minutes, not ms).
 */
async function load(name: string, content: string | Uint8Array): Promise<{ errors: string[]; ms: number }> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const started = process.cpuUsage();
  const read = await readManifestFile(path, name);
  const errors = "error" in read ? [read.error] : parseManifest(read.text, name).errors;
  const used = process.cpuUsage(started);
  return { errors: errors.map(formatError), ms: (used.user + used.system) / 1000 };
}

const header = "apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: x}\nspec:\n  image: busybox\n";

describe("hostile input fails with one clear error, fast", () => {
  it("an alias bomb (billion laughs)", async () => {
    const { errors, ms } = await load("bomb.yaml", `${aliasBombLines().join("\n")}\n`);
    expect(errors).toEqual([expect.stringMatching(/^bomb\.yaml:1:1: too many YAML aliases/)]);
    expect(ms).toBeLessThan(1000);
  });

  it("half a million nested brackets", async () => {
    const { errors, ms } = await load("deep.yaml", `a: ${"[".repeat(500_000)}${"]".repeat(500_000)}\n`);
    expect(errors).toEqual(["deep.yaml:1:68: nesting is deeper than 64 levels; this is not an App manifest"]);
    expect(ms).toBeLessThan(1000);
  });

  it("brackets inside quoted strings do not count as nesting", () => {
    const text = header.replace("spec:\n", `spec:\n  args: ["${"[".repeat(100)}", '${"{".repeat(100)}']\n`);
    expect(parseManifest(text, "q.yaml").errors).toEqual([]);
  });

  it("deep block nesting", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${" ".repeat(i)}k:`);
    const { errors, ms } = await load("block.yaml", `${lines.join("\n")} 1\n`);
    expect(errors).toEqual([
      "block.yaml:65:1: nesting is deeper than 64 levels; this is not an App manifest",
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it("a file over 1 MiB", async () => {
    const { errors, ms } = await load("big.yaml", `${header}# ${"x".repeat(MAX_FILE_BYTES)}\n`);
    expect(errors).toEqual([
      expect.stringMatching(/^big\.yaml:1:1: the file is too large \(\d+ bytes; the limit is 1048576\)/),
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it("a large but legal file parses in time", async () => {
    const doc = (i: number) => header.replace("name: x", `name: app-${i}`);
    const text = Array.from({ length: 200 }, (_, i) => doc(i)).join("---\n");
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    const { errors, ms } = await load("many.yaml", text);
    expect(errors).toEqual([]);
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ["lines", "#\n".repeat(6000), "lines.yaml:5001:1: the file has more than 5000 lines"],
    ["documents", "---\na: 1\n".repeat(600), "documents.yaml:1001:1: the file has more than 500 documents"],
    [
      "flow items",
      `a: [${"1,".repeat(6000)}1]`,
      "flow items.yaml:1:10006: the file has more than 5000 flow items",
    ],
  ])("too many %s", async (name, text, expected) => {
    const { errors, ms } = await load(`${name}.yaml`, text);
    expect(errors).toEqual([expect.stringContaining(expected)]);
    expect(ms).toBeLessThan(1000);
  });

  it("thousands of keys in one map (the yaml package's own duplicate check is quadratic)", async () => {
    const text = `${Array.from({ length: 4900 }, (_, i) => `k${i}: v`).join("\n")}\nk7: again\n`;
    const { errors, ms } = await load("keys.yaml", text);
    expect(errors).toEqual(["keys.yaml:4901:1: duplicate key; each key may appear only once in a map"]);
    expect(ms).toBeLessThan(1000);
  });

  it("a document with hundreds of problems reports a bounded number", () => {
    const text = header.replace(
      "spec:\n",
      `spec:\n${Array.from({ length: 300 }, (_, i) => `  x${i}: 1\n`).join("")}`,
    );
    const errors = parseManifest(text, "noisy.yaml").errors;
    expect(errors).toHaveLength(21);
    expect(errors.filter((e) => e.message === "and 280 more problems in this document")).toHaveLength(1);
  });

  it("binary garbage", async () => {
    const bytes = new Uint8Array(64 * 1024).map((_, i) => (i * 7919 + 13) % 256);
    const { errors, ms } = await load("garbage.yaml", bytes);
    expect(errors).toEqual([
      expect.stringMatching(/^garbage\.yaml:\d+:\d+: not a text file \(it contains NUL bytes\)$/),
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it("invalid UTF-8, reported at its line and column", async () => {
    const bytes = Buffer.concat([
      Buffer.from("apiVersion: alacrity.dev/v1\nkind: Äpp"),
      Buffer.from([0xc3, 0x28]),
      Buffer.from("\n"),
    ]);
    const { errors } = await load("latin.yaml", bytes);
    expect(errors).toEqual(["latin.yaml:2:10: invalid UTF-8 at byte 38; save the file as UTF-8"]);
  });

  it("an empty file", async () => {
    const { errors } = await load("empty.yaml", "");
    expect(errors).toEqual([
      "empty.yaml:1:1: the file contains no manifest; add an App document or delete the file",
    ]);
  });

  it("a file that does not exist", async () => {
    const read = await readManifestFile(join(dir, "nope.yaml"), "nope.yaml");
    expect("error" in read && formatError(read.error)).toBe(
      "nope.yaml:1:1: file or directory does not exist",
    );
  });

  it("a FIFO is refused rather than read (reading it would block forever)", async () => {
    const fifo = join(dir, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    const started = performance.now();
    const read = await readManifestFile(fifo, "pipe.yaml");
    expect("error" in read && read.error.message).toBe("not a regular file");
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("UTF-8 checking", () => {
  it.each([
    ["overlong encoding", [0xc0, 0xaf], 0],
    ["surrogate", [0x41, 0xed, 0xa0, 0x80], 1],
    ["truncated sequence", [0x41, 0x42, 0xe2, 0x82], 2],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
  ])("rejects %s at the right byte", (_, bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
  });

  it("accepts multi-byte text and keeps it", () => {
    const result = decodeManifest(Buffer.from("name: café 🚀\n"), "u.yaml");
    expect(result).toEqual({ text: "name: café 🚀\n" });
  });
});
