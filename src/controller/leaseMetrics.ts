import { Gauge, type Registry } from "prom-client";
import type { LeaseStatus } from "./leaseTypes.js";

/**
 * `alacrity_lease_leader` (1 on the leader, 0 on a standby) and `alacrity_lease_info{holder}` (1 for
 * the holder as last read), computed when scraped.
 */
export function registerLeaseMetrics(registry: Registry, status: () => LeaseStatus): void {
  const registers = [registry];
  const leader: Gauge = new Gauge({
    name: "alacrity_lease_leader",
    help: "1 when this controller holds the instance's lease and reconciles, 0 when it stands by.",
    registers,
    collect: () => {
      leader.set(status().leader ? 1 : 0);
    },
  });
  const info: Gauge<"holder"> = new Gauge({
    name: "alacrity_lease_info",
    help: "The controller that holds the instance's lease, as last read (empty when released).",
    labelNames: ["holder"],
    registers,
    collect: () => {
      info.reset();
      info.set({ holder: status().holder ?? "" }, 1);
    },
  });
}
