// Loaded into the daemon by the benchmark (NODE_OPTIONS=--import): on SIGUSR2 it writes the
// process's memory as Node sees it to BENCH_MEMORY_FILE, so the benchmark can say how much of the
// resident memory is V8's heap (and of it, compiled code) and how much is everything else.
import { writeFileSync } from "node:fs";
import process from "node:process";
import { getHeapSpaceStatistics } from "node:v8";

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  process.on("SIGUSR2", () => {
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]),
    );
    writeFileSync(file, JSON.stringify({ ...process.memoryUsage(), spaces }));
  });
}
