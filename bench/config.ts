import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/**
 * The built CLI. `BENCH_CLI` points at another build (e.g. one made with `--outDir` from a known
 * commit), so that a rebuild of `dist/` by someone else mid-run cannot change what is measured.
 */
export const CLI = process.env.BENCH_CLI || fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
export const IMAGE = process.env.ALACRITY_TEST_IMAGE ?? "alacrity-test/busybox:1";
/** Everything the benchmark creates is named or labelled with these, and only that is removed. */
export const INSTANCE = "bench";
export const APP_PREFIX = "bench-";
export const STACK = "benchstack";

export const FIGURES = [
  "apply",
  "floor",
  "requests",
  "planner",
  "running",
  "daemon",
  "commit",
  "startup",
] as const;
export type Figure = (typeof FIGURES)[number];

export interface BenchConfig {
  apps: number;
  pairs: number;
  plannerApps: number;
  runningApps: number;
  edits: number;
  idleSeconds: number;
  commitApps: number;
  commits: number;
  figures: Set<Figure>;
  out: string;
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a whole number from 1 up, got "${raw}"`);
  return n;
}

function figuresEnv(): Set<Figure> {
  const only = process.env.BENCH_ONLY?.split(",").filter(Boolean);
  const skip = new Set(process.env.BENCH_SKIP?.split(",").filter(Boolean));
  for (const name of [...(only ?? []), ...skip]) {
    if (!(FIGURES as readonly string[]).includes(name))
      throw new Error(`unknown figure "${name}"; the figures are ${FIGURES.join(", ")}`);
  }
  return new Set(FIGURES.filter((f) => (only ? only.includes(f) : true) && !skip.has(f)));
}

/** Settings from the environment (see BENCHMARKS.md). */
export function readConfig(): BenchConfig {
  return {
    apps: intEnv("BENCH_APPS", 1000),
    pairs: intEnv("BENCH_PAIRS", 7),
    plannerApps: intEnv("BENCH_PLANNER_APPS", 10_000),
    runningApps: intEnv("BENCH_RUNNING_APPS", 50),
    edits: intEnv("BENCH_EDITS", 20),
    idleSeconds: intEnv("BENCH_IDLE_SECONDS", 30),
    commitApps: intEnv("BENCH_COMMIT_APPS", 3000),
    commits: intEnv("BENCH_COMMITS", 5),
    figures: figuresEnv(),
    out:
      process.env.BENCH_OUT ??
      fileURLToPath(
        new URL(`./results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, import.meta.url),
      ),
  };
}
