import { createServer } from "node:net";

/**
 * Asks the kernel for a free TCP port on 127.0.0.1. A node publishes its API on a fixed port
 * chosen here rather than on an ephemeral one, because Docker picks a new ephemeral port each
 * time a container starts, and a stopped and restarted manager must keep its address.
 */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error(`expected a TCP address from the probe server, got ${String(address)}`));
      });
    });
  });
}
