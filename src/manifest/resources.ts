/*
 * CPU and memory amounts of `spec.resources`, read as the docker CLI reads `--limit-cpu` and
 * `--limit-memory`: CPUs as a decimal number of cores, memory as bytes with an optional unit in
 * powers of 1024 (`512M`, `1.5G`, `256Mi`, `256MiB`, `64kb`). Pure functions, no I/O.
 */

/** The smallest CPU amount Docker accepts for a container. */
export const MIN_CPUS = 0.01;

/** The smallest memory limit Docker accepts for a container (`Minimum memory limit allowed is 6MB`). */
export const MIN_MEMORY_LIMIT = 6 * 1024 * 1024;

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

const MEMORY_PATTERN = /^(\d+(?:\.\d+)?) ?([kmgt]?)(i?b?)$/i;

/** Bytes of a memory amount, or undefined when it is not one (see `MEMORY_FORMAT`). */
export function memoryBytes(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const match = MEMORY_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const [, amount = "", unit = "", suffix = ""] = match;
  // "512i" and "512ib" have no unit; "512b", "512k", "512kb", "512Ki" and "512KiB" do.
  if (suffix.toLowerCase().startsWith("i") && unit === "") return undefined;
  const bytes = Math.floor(Number(amount) * (UNITS[unit.toLowerCase()] ?? 1));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** How a memory amount is written, for error messages. */
export const MEMORY_FORMAT =
  'a size like "512M" or "1.5G" (units K, M, G, T in powers of 1024), or a number of bytes';

/** Nano-CPUs (Swarm's unit) of a number of CPUs. */
export const nanoCpus = (cpus: number): number => Math.round(cpus * 1e9);

/** `1G`, `1536M`, `6M`, `1000B`: the largest unit that divides the amount exactly. */
export function formatMemory(bytes: number): string {
  for (const [unit, size] of [
    ["T", 1024 ** 4],
    ["G", 1024 ** 3],
    ["M", 1024 ** 2],
    ["K", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

/** `0.5`, `2`: nano-CPUs as a number of CPUs. */
export const formatCpus = (nanos: number): string => String(nanos / 1e9);
