import Docker from "dockerode";

/**
 * Removes what a test suite created on the shared test Swarm: services of its AlaCrity instance
 * or with its name prefix, and the pin configs and volumes named after its prefix. Nothing else.
 */
export async function cleanupSuite(docker: Docker, instance: string, prefix: string): Promise<void> {
  const services = await docker.listServices();
  await Promise.all(
    services
      .filter(
        (s) => s.Spec?.Labels?.["alacrity.instance"] === instance || (s.Spec?.Name ?? "").startsWith(prefix),
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
      .filter((c) => (c.Spec?.Name ?? "").startsWith(`alacrity-pin--${prefix}`))
      .map((c) =>
        docker
          .getConfig(c.ID)
          .remove()
          .catch(() => undefined),
      ),
  );
  await removeVolumes(docker, `alacran--${prefix}`);
}

/** Volumes go only once their containers are gone: retry for a while (bounded). */
async function removeVolumes(docker: Docker, prefix: string): Promise<void> {
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
