import { docker } from "./helpers.js";
import { execInContainer, runningContainer as runningContainerOf } from "../../support/serviceExec.js";

/** The ID of a running container of a service, once Swarm has started one. */
export const runningContainer = (service: string): Promise<string> => runningContainerOf(docker, service);

/** Runs `cmd` in a container (as `docker exec` does) and gives its exit code and output. */
export async function execIn(containerId: string, cmd: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await execInContainer(docker, containerId, cmd);
  return { code, output: stdout + stderr };
}
