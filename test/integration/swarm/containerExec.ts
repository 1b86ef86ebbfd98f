import { PassThrough } from "node:stream";
import { docker } from "./helpers.js";
import { eventually } from "../../support/poll.js";

/** The ID of a running container of a service, once Swarm has started one. */
export async function runningContainer(service: string): Promise<string> {
  return eventually(
    async () => {
      const containers = await docker.listContainers({
        filters: { label: [`com.docker.swarm.service.name=${service}`], status: ["running"] },
      });
      return containers[0]?.Id;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `a running container of ${service}` },
  );
}

/** Runs `cmd` in a container (as `docker exec` does) and gives its exit code and output. */
export async function execIn(containerId: string, cmd: string[]): Promise<{ code: number; output: string }> {
  const exec = await docker
    .getContainer(containerId)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  const inspected = await exec.inspect();
  return { code: inspected.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
}
