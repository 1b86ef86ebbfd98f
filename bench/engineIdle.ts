import { readdirSync, readFileSync } from "node:fs";

/**
 * Waits until the local dockerd has gone quiet. Removing a stack's 1000 services returns in about
 * a second, but dockerd then works on for about 3 s more at 1.2 cores of this 2-core machine
 * (freeing the services' network addresses); whichever command ran next was measured against
 * that. Each run therefore starts from an idle engine: dockerd's CPU time, read from /proc, must
 * grow by less than 5% of a core in two windows of 250 ms in a row.
 *
 * Resolves with the wait in ms, or `undefined` when dockerd is not a process of this machine
 * (then there is nothing to read, and the benchmark goes on without waiting).
 */
export async function waitForIdleEngine(timeoutMs = 60_000): Promise<number | undefined> {
  const pid = dockerdPid();
  if (pid === undefined) return undefined;
  const started = Date.now();
  let quietWindows = 0;
  let before = cpuTicks(pid);
  while (quietWindows < 2) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`dockerd was still busy after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const now = cpuTicks(pid);
    if (now === undefined || before === undefined) return undefined;
    quietWindows = now - before < QUIET_TICKS ? quietWindows + 1 : 0;
    before = now;
  }
  return Date.now() - started;
}

const WINDOW_MS = 250;
/** 5% of one core over a window, in clock ticks of 10 ms (Linux's USER_HZ of 100). */
const QUIET_TICKS = (0.05 * WINDOW_MS) / 10;

function dockerdPid(): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "dockerd") return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return undefined;
}

/** User plus system CPU time of a process (fields 14 and 15 of /proc/PID/stat). */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
