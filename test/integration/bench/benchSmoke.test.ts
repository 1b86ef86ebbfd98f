import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "alacrity-bench-smoke-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

interface BenchDocument {
  machine: { nproc: number; node: string };
  rows: { figure: string; value: string; goal: string; met: boolean | null }[];
  results: { requests?: { apps: number; alacrity: number }[] };
}

describe("the benchmark, small", () => {
  it("runs the quick figures and writes its table and JSON (timings are not asserted)", () => {
    const file = join(out, "bench.json");
    // dist/ is built by the integration project's global setup, as `npm run bench` would.
    const run = spawnSync(process.execPath, ["bench/run.mjs"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 280_000,
      env: {
        ...process.env,
        BENCH_APPS: "20",
        BENCH_PAIRS: "1",
        BENCH_PLANNER_APPS: "200",
        BENCH_ONLY: "apply,floor,requests,planner",
        BENCH_OUT: file,
      },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\| figure +\| measured +\| goal +\| met +\|$/m);
    for (const figure of ["planner alone, 200 apps", "cold apply, 20 apps", "no-op apply, 20 apps"])
      expect(run.stdout).toContain(figure);

    const doc = JSON.parse(readFileSync(file, "utf8")) as BenchDocument;
    expect(doc.machine.node).toBe(process.version);
    expect(doc.rows.map((r) => r.figure)).toEqual([
      "planner alone, 200 apps",
      "cold apply, 20 apps",
      "first cold apply of a new directory (empty parse cache), 20 apps",
      "no-op apply, 20 apps",
      "floor of a cold apply: 20 creates, bare node:http client",
      "API requests of a no-op apply",
    ]);
    // A request count is not a timing: a no-op apply reads the Swarm once, in seven list calls
    // (networks and secrets joined with issue 16; one config list serves pins and configs).
    expect(doc.results.requests?.map((r) => [r.apps, r.alacrity])).toEqual([
      [10, 7],
      [20, 7],
    ]);
  }, 300_000);
});
