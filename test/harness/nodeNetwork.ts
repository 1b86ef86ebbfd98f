import type Dockerode from "dockerode";

/** A bridge network with a subnet of its own, so that nodes can have fixed addresses. */
export interface NodeNetwork {
  name: string;
  /** The address of the i-th node (0-based). */
  addressOf(index: number): string;
}

const MAX_ATTEMPTS = 20;

/**
 * Creates the nodes' network in a free 172.29.X.0/24. Docker accepts a fixed container address
 * only on a network whose subnet was given explicitly, so one is picked at random and another
 * tried when Docker says it overlaps a network that exists (another test run on this machine).
 */
export async function createNodeNetwork(
  host: Dockerode,
  name: string,
  labels: Record<string, string>,
): Promise<NodeNetwork> {
  let lastError: unknown;
  const start = Math.floor(Math.random() * 256);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const third = (start + attempt * 37) % 256;
    const prefix = `172.29.${third}`;
    try {
      await host.createNetwork({
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: labels,
        IPAM: { Driver: "default", Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
      });
      return { name, addressOf: (index) => `${prefix}.${11 + index}` };
    } catch (error) {
      lastError = error;
      if (!/overlap/i.test(error instanceof Error ? error.message : String(error))) throw error;
    }
  }
  throw new Error(
    `could not find a free 172.29.X.0/24 subnet for network ${name} after ${MAX_ATTEMPTS} attempts`,
    {
      cause: lastError,
    },
  );
}
