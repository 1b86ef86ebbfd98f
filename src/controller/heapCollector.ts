import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { backgroundClock, type Clock, type TimerHandle } from "../domain/clock.js";

/** How often the heap is looked at: a read of V8's counters, nothing more. */
const CHECK_MS = 2000;
/**
 * Growth of the heap V8 holds (used or not) since the last full collection that makes it worth
 * another one (~10-30 ms). V8's own collections free objects but seldom give the memory back.
 */
const GROWTH_BYTES = 8 * 1024 * 1024;
/** A heap that moved less than this between two looks is taken as idle. */
const SETTLED_BYTES = 1024 * 1024;

export interface HeapCollectorOptions {
  checkMs?: number;
  growthBytes?: number;
  settledBytes?: number;
  /** The collection; default V8's full one (see `fullCollection`). */
  collect?: () => void;
  /** Default: timers that never keep the process alive. */
  clock?: Clock;
}

/**
 * Makes a long-running process collect its garbage once its heap has grown well past what the
 * last full collection left and then stopped moving. V8 collects only when it allocates, and sizes
 * its heap for throughput: after a burst of work (a sync reads every service of the Swarm, a
 * reload every manifest, the parse cache is written) a daemon that then goes idle would keep that
 * garbage resident for as long as it stays idle, which is most of its life. Waiting for the heap
 * to settle keeps the collection's pause out of the burst itself (an edit being applied).
 * Returns a function that stops it.
 */
export function collectGrownHeap(options: HeapCollectorOptions = {}): () => void {
  const found = options.collect ?? fullCollection();
  if (found === undefined) return () => undefined;
  const collect = found;
  const growth = options.growthBytes ?? GROWTH_BYTES;
  const settled = options.settledBytes ?? SETTLED_BYTES;
  let baseline = getHeapStatistics().total_heap_size;
  let previous = getHeapStatistics().used_heap_size;
  let quietLooks = 0;
  const clock = options.clock ?? backgroundClock;
  const checkMs = options.checkMs ?? CHECK_MS;
  let timer: TimerHandle = clock.setTimeout(look, checkMs);
  function look(): void {
    timer = clock.setTimeout(look, checkMs);
    const { used_heap_size: used, total_heap_size: total } = getHeapStatistics();
    quietLooks = Math.abs(used - previous) < settled ? quietLooks + 1 : 0;
    previous = used;
    if (total - baseline < growth || quietLooks < 2) return;
    collect();
    ({ used_heap_size: previous, total_heap_size: baseline } = getHeapStatistics());
    quietLooks = 0;
  }
  return () => clock.clearTimeout(timer);
}

/**
 * V8's full collection, which Node exposes only under `--expose-gc`: the flag set now makes `gc`
 * a global of contexts created after it (not of this one), so one new context hands it over.
 * Undefined when V8 refuses.
 */
export function fullCollection(): (() => void) | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === "function") return existing as () => void;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
