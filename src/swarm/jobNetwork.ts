import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { sleep, systemClock } from "../domain/clock.js";
import { LABEL } from "../domain/names.js";
import { statusCodeOf, toDockerError } from "./errors.js";

/**
 * The overlay network the two ends of an app's copy meet on, for as long as the copy lasts. Its
 * name is new each time: a worker may still hold the network of a killed run under the old name
 * for a while, and a task there that needs a new network of that same name never starts (its
 * container is created for a network the node does not have).
 */
export const jobNetworkName = (app: string): string =>
  `alacrity-copy--${app.slice(0, 40)}--${randomBytes(3).toString("hex")}`;

/**
 * Creates the app's copy network, first removing one a killed command left. Not attachable:
 * only the jobs' own tasks join it.
 */
export async function createJobNetwork(docker: Docker, app: string): Promise<string> {
  await removeJobNetworksOf(docker, app);
  const name = jobNetworkName(app);
  try {
    await docker.createNetwork({
      Name: name,
      Driver: "overlay",
      CheckDuplicate: true,
      Labels: { [LABEL.job]: "copy", [LABEL.app]: app },
    });
    return name;
  } catch (err) {
    throw toDockerError(err, `cannot create the copy network of ${app}`);
  }
}

/**
 * Removes the app's copy networks. Right after its jobs' services are removed, a network may
 * still have their endpoints for a few seconds: the removal is retried meanwhile.
 */
export async function removeJobNetworksOf(docker: Docker, app: string): Promise<void> {
  const networks = await docker
    .listNetworks({ filters: JSON.stringify({ label: [LABEL.job, `${LABEL.app}=${app}`] }) })
    .catch((err: unknown) => {
      throw toDockerError(err, `cannot list the copy networks of ${app}`);
    });
  for (const network of networks) {
    for (let attempt = 1; ; attempt++) {
      try {
        await docker.getNetwork(network.Id).remove();
        break;
      } catch (err) {
        if (statusCodeOf(err) === 404) break;
        if (attempt >= 30) throw toDockerError(err, `cannot remove the copy network ${network.Name}`);
        await sleep(systemClock, 500);
      }
    }
  }
}
