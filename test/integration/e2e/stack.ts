import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { dockerCli } from "./docker.js";
import { REPO_ROOT } from "./image.js";
import { eventually } from "../../support/poll.js";

export const STACK_FILE = join(REPO_ROOT, "manifests/alacrity-stack.yml");

export interface StackSettings {
  image: string;
  appsDir: string;
  instance: string;
}

/**
 * The test's additions to the stack file, merged by `docker stack deploy -c A -c B`: the suite's
 * label on everything it creates, and a 2 s health check interval so that "healthy" is seen in
 * seconds (the first check runs one interval after the start; the stack's own is 15 s). The
 * command, mounts, placement, update order and limits are the stack file's, unchanged.
 */
const OVERRIDE = `version: "3.8"
services:
  alacrity:
    labels:
      alacrity.test: e2e
    healthcheck:
      interval: 2s
    deploy:
      labels:
        alacrity.test: e2e
networks:
  default:
    labels:
      alacrity.test: e2e
`;

/** Deploys manifests/alacrity-stack.yml as `name`, configured through its documented variables. */
export async function deployStack(name: string, settings: StackSettings, workDir: string): Promise<void> {
  const override = join(workDir, "e2e-override.yml");
  writeFileSync(override, OVERRIDE);
  await dockerCli(
    // --resolve-image never: the image is local, there is no registry to ask for its digest.
    ["stack", "deploy", "--resolve-image", "never", "--detach=true", "-c", STACK_FILE, "-c", override, name],
    {
      env: {
        ALACRITY_IMAGE: settings.image,
        ALACRITY_APPS_DIR: settings.appsDir,
        ALACRITY_INSTANCE: settings.instance,
        ALACRITY_USER: undefined,
      },
    },
  );
}

/**
 * Removes the stack and waits (bounded) until its containers and its network are gone, so the
 * next deploy of the same name cannot trip over a network still being removed.
 */
export async function removeStack(docker: Docker, name: string): Promise<void> {
  await dockerCli(["stack", "rm", name]).catch(() => undefined);
  const namespace = `com.docker.stack.namespace=${name}`;
  await eventually(
    async () => {
      const services = await docker.listServices({ filters: { label: [namespace] } });
      const containers = await docker.listContainers({ all: true, filters: { label: [namespace] } });
      const networks = await docker.listNetworks({ filters: { label: [namespace] } });
      if (services.length === 0 && containers.length === 0 && networks.length === 0) return true;
      // `stack rm` gives up on a network whose last container is still stopping: ask again.
      if (services.length === 0 && containers.length === 0) {
        await Promise.all(
          networks.map((n) =>
            docker
              .getNetwork(n.Id)
              .remove()
              .catch(() => undefined),
          ),
        );
      }
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `stack ${name} to be removed` },
  );
}

/** The one running container of a stack service, once it has one. */
export async function serviceContainerId(docker: Docker, service: string): Promise<string | undefined> {
  const containers = await docker.listContainers({
    filters: { label: [`com.docker.swarm.service.name=${service}`], status: ["running"] },
  });
  return containers[0]?.Id;
}
