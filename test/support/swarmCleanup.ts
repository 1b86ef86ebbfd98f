import Docker from "dockerode";

/**
 * Removes what a test suite created on the shared test Swarm: services of its AlaCrity instance
 * or with its name prefix (and their backup jobs), and the pin, hold, left-behind and maintenance configs and volumes named after its prefix. Nothing else.
 */
export async function cleanupSuite(docker: Docker, instance: string, prefix: string): Promise<void> {
  const services = await docker.listServices();
  await Promise.all(
    services
      .filter(
        (s) =>
          s.Spec?.Labels?.["alacrity.instance"] === instance ||
          (s.Spec?.Name ?? "").startsWith(prefix) ||
          // A backup, restore or copy job of one of the suite's apps.
          (s.Spec?.Labels?.["alacrity.job"] !== undefined &&
            (s.Spec.Labels["alacrity.app"] ?? "").startsWith(prefix)),
      )
      .map((s) =>
        docker
          .getService(s.ID)
          .remove()
          .catch(() => undefined),
      ),
  );
  const configs = (await docker.listConfigs()) as { ID: string; Spec?: { Name?: string } }[];
  await Promise.all(
    configs
      .filter((c) =>
        [
          `alacrity-pin--${prefix}`,
          `alacrity-hold--${prefix}`,
          `alacrity-left--${prefix}`,
          `alacrity-maintenance--${prefix}`,
        ].some((p) => (c.Spec?.Name ?? "").startsWith(p)),
      )
      .map((c) =>
        docker
          .getConfig(c.ID)
          .remove()
          .catch(() => undefined),
      ),
  );
  await removeVolumes(docker, `alacran--${prefix}`);
  await removeNamed(docker, `alacran--${prefix}`);
}

/**
 * Secrets, configs and networks named after the prefix (never the shared `alacran--default`).
 * Each goes once no task uses it any more: retried for a while, like the volumes.
 */
export async function removeNamed(docker: Docker, prefix: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const [secrets, configs, networks] = await Promise.all([
      docker.listSecrets(),
      docker.listConfigs() as Promise<{ ID: string; Spec?: { Name?: string } }[]>,
      docker.listNetworks(),
    ]);
    const ours = (name: string | undefined) => (name ?? "").startsWith(prefix);
    const removals = [
      ...secrets.filter((x) => ours(x.Spec?.Name)).map((x) => docker.getSecret(x.ID).remove()),
      ...configs.filter((x) => ours(x.Spec?.Name)).map((x) => docker.getConfig(x.ID).remove()),
      ...networks.filter((x) => ours(x.Name)).map((x) => docker.getNetwork(x.Id).remove()),
    ];
    if (removals.length === 0) return;
    await Promise.all(removals.map((r) => r.catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Volumes go only once their containers are gone: retry for a while (bounded). */
export async function removeVolumes(docker: Docker, prefix: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const { Volumes } = await docker.listVolumes();
    const left = (Volumes ?? []).filter((v) => v.Name.startsWith(prefix));
    if (left.length === 0) return;
    await pruneStoppedContainers(docker, prefix);
    await Promise.all(
      left.map((v) =>
        docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined),
      ),
    );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pruneStoppedContainers(docker: Docker, volumePrefix: string): Promise<void> {
  const containers = await docker.listContainers({ all: true });
  await Promise.all(
    containers
      .filter(
        (c) => c.State !== "running" && (c.Mounts ?? []).some((m) => (m.Name ?? "").startsWith(volumePrefix)),
      )
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
  );
}

export const newDocker = (): Docker => new Docker({ socketPath: "/var/run/docker.sock" });
