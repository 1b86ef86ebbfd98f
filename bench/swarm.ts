import Docker from "dockerode";
import PQueue from "p-queue";
import { APP_PREFIX, INSTANCE, STACK } from "./config.js";
import { waitForIdleEngine } from "./engineIdle.js";

export const docker = new Docker({ socketPath: "/var/run/docker.sock" });

/** Only what the benchmark creates: its instance's services, or services named with its prefixes. */
export function isBenchService(s: Docker.Service): boolean {
  const name = s.Spec?.Name ?? "";
  return (
    s.Spec?.Labels?.["alacrity.instance"] === INSTANCE ||
    name.startsWith(APP_PREFIX) ||
    name.startsWith(`${STACK}_`)
  );
}

export async function benchServices(): Promise<Docker.Service[]> {
  return (await docker.listServices()).filter(isBenchService);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Removes every bench service and pin config, then waits until Swarm lists none of them,
 * (with `containers`) until their containers are gone, and until dockerd has finished the work
 * the removal left it (see engineIdle.ts), so the next run starts from nothing.
 */
export async function cleanup(options: { containers?: boolean } = {}): Promise<void> {
  const queue = new PQueue({ concurrency: 16 });
  for (let attempt = 0; attempt < 10; attempt++) {
    const services = await benchServices();
    if (services.length === 0) break;
    await queue.addAll(
      services.map(
        (s) => () =>
          docker
            .getService(s.ID)
            .remove()
            .catch(() => undefined),
      ),
    );
    await sleep(200);
  }
  const configs = (await docker.listConfigs()) as { ID: string; Spec?: { Name?: string } }[];
  await queue.addAll(
    configs
      .filter((c) => (c.Spec?.Name ?? "").startsWith(`alacrity-pin--${APP_PREFIX}`))
      .map(
        (c) => () =>
          docker
            .getConfig(c.ID)
            .remove()
            .catch(() => undefined),
      ),
  );
  // docker stack deploy creates the stack's default network; it goes once its services are gone.
  for (let attempt = 0; attempt < 40; attempt++) {
    const networks = await docker.listNetworks({
      filters: { label: [`com.docker.stack.namespace=${STACK}`] },
    });
    if (networks.length === 0) break;
    await Promise.all(
      networks.map((n) =>
        docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined),
      ),
    );
    await sleep(250);
  }
  if ((await benchServices()).length > 0) throw new Error("bench services are still listed after cleanup");
  if (options.containers) await waitForContainersGone();
  await waitForIdleEngine();
}

async function waitForContainersGone(): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const containers = await docker.listContainers({ all: true });
    const left = containers.filter((c) => {
      const service = c.Labels?.["com.docker.swarm.service.name"] ?? "";
      return service.startsWith(APP_PREFIX) || service.startsWith(`${STACK}_`);
    });
    if (left.length === 0) return;
    await sleep(200);
  }
  throw new Error("containers of bench services are still there after 60 s");
}

/** Waits until exactly `count` bench services exist (bounded). */
export async function waitForServiceCount(count: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await benchServices()).length;
    if (n === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} bench services, found ${n}`);
    await sleep(250);
  }
}

/** Polls until every named service has as many running tasks as it should (bounded). */
export async function waitForRunning(
  serviceNames: readonly string[],
  replicas: number,
  pollMs: number,
  timeoutMs = 300_000,
): Promise<void> {
  const wanted = new Set(serviceNames);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const services = (await docker.listServices()).filter((s) => wanted.has(s.Spec?.Name ?? ""));
    const ids = new Map(services.map((s) => [s.ID, s.Spec?.Name ?? ""]));
    const tasks = (await docker.listTasks({ filters: { "desired-state": ["running"] } })) as {
      ServiceID: string;
      Status?: { State?: string };
    }[];
    const running = new Map<string, number>();
    for (const t of tasks) {
      if (ids.has(t.ServiceID) && t.Status?.State === "running")
        running.set(t.ServiceID, (running.get(t.ServiceID) ?? 0) + 1);
    }
    if (services.length === wanted.size && services.every((s) => (running.get(s.ID) ?? 0) >= replicas))
      return;
    if (Date.now() > deadline) throw new Error("tasks did not all run in time");
    await sleep(pollMs);
  }
}
