import { readdir, rmdir } from "node:fs/promises";
import { join } from "node:path";

import type Dockerode from "dockerode";

const CGROUP_ROOT = "/sys/fs/cgroup";

/**
 * The ids of the containers a node's inner engine knows. A node shares the host's cgroup v1
 * hierarchy (/sys/fs/cgroup is bound into it), so its containers' cgroups are the host's
 * /sys/fs/cgroup/CONTROLLER/docker/ID. When a node is killed its inner engine cannot remove
 * them; the harness remembers the ids to remove the empty directories afterwards.
 */
export async function innerContainerIds(engine: Dockerode): Promise<string[]> {
  const containers = await engine.listContainers({ all: true });
  return containers.map((c) => c.Id);
}

/**
 * Removes the (empty) cgroup directories of these inner containers. rmdir never removes a cgroup
 * that still has processes or children, so a running container is never touched.
 */
export async function removeInnerCgroups(ids: Iterable<string>): Promise<void> {
  const controllers = await readdir(CGROUP_ROOT).catch(() => [] as string[]);
  const dirs = [...ids].flatMap((id) => [
    join(CGROUP_ROOT, "docker", id),
    ...controllers.map((c) => join(CGROUP_ROOT, c, "docker", id)),
  ]);
  await Promise.all(dirs.map((dir) => rmdir(dir).catch(() => undefined)));
}
