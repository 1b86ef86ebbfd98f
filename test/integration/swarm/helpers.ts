import Docker from "dockerode";
import { connectDocker } from "../../../src/swarm/connect.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { eventually } from "../../support/poll.js";

/** Everything these tests create is named `t-swarm-...` and labelled `alacrity.test=swarm`. */
export const TEST_LABEL = "alacrity.test";
export const TEST_LABEL_VALUE = "swarm";
export const IMAGE = "alacrity-test/busybox:1";

/** dockerode, an independent client, for the tests' own setup and checks. */
export const docker = new Docker();
/** The controller's own client, for the functions under test. */
export const engine = connectDocker();

/** A busybox service that sleeps for an hour, labelled as this suite's. */
export function sleeper(overrides: Partial<ServiceFields> = {}): ServiceFields {
  return {
    image: IMAGE,
    command: ["sleep"],
    args: ["3600"],
    env: {},
    ports: [],
    mounts: [],
    constraints: [],
    labels: { [TEST_LABEL]: TEST_LABEL_VALUE },
    replicas: 1,
    updateOrder: "stop-first",
    maxReplicasPerNode: 0,
    ...overrides,
  };
}

/**
 * Removes this suite's services, pin and hold configs and volumes whose names start with `prefix`
 * (`t-swarm-<file>-`): never anything another suite created.
 */
export async function sweep(prefix: string): Promise<void> {
  const services = await docker.listServices({ filters: { label: [`${TEST_LABEL}=${TEST_LABEL_VALUE}`] } });
  const ours = services.filter((service) => service.Spec?.Name?.startsWith(prefix));
  await Promise.all(
    ours.map((service) =>
      docker
        .getService(service.ID)
        .remove()
        .catch(() => undefined),
    ),
  );

  const configs = await docker.listConfigs();
  await Promise.all(
    configs
      .filter((config) =>
        [`alacrity-pin--${prefix}`, `alacrity-hold--${prefix}`].some((p) => config.Spec?.Name.startsWith(p)),
      )
      .map((config) =>
        docker
          .getConfig(config.ID)
          .remove()
          .catch(() => undefined),
      ),
  );

  // A volume can only go once the service's containers are gone; `sleep` ignores SIGTERM, so
  // Swarm would take its 10 s grace period: remove our own containers at once instead.
  const volumes = ((await docker.listVolumes()).Volumes ?? []).filter((volume) =>
    volume.Name.startsWith(prefix),
  );
  if (volumes.length === 0) return;
  await eventually(
    async () => {
      const containers = await docker.listContainers({
        all: true,
        filters: { label: ["com.docker.swarm.service.name"] },
      });
      const mine = containers.filter((container) =>
        container.Labels["com.docker.swarm.service.name"]?.startsWith(prefix),
      );
      await Promise.all(
        mine.map((container) =>
          docker
            .getContainer(container.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
      return mine.length === 0;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  await Promise.all(
    volumes.map((volume) =>
      docker
        .getVolume(volume.Name)
        .remove()
        .catch(() => undefined),
    ),
  );
}

export async function serviceByName(name: string): Promise<Docker.Service> {
  const [service] = (await docker.listServices({ filters: { name: [name] } })).filter(
    (s) => s.Spec?.Name === name,
  );
  if (!service) throw new Error(`service ${name} not found`);
  return service;
}
