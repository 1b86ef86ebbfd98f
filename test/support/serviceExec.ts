import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { eventually } from "./poll.js";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The running container of `service`'s task on this machine's engine, once there is one. */
export async function runningContainer(docker: Docker, service: string, timeoutMs = 60_000): Promise<string> {
  return eventually(
    async () => {
      const list = await docker.listContainers({
        filters: { label: [`com.docker.swarm.service.name=${service}`], status: ["running"] },
      });
      const id = list[0]?.Id;
      if (id === undefined) throw new Error(`no running container of ${service} yet`);
      return id;
    },
    { timeoutMs, what: `a running task of ${service}` },
  );
}

/** Runs `cmd` in the running container of `service` and collects what it printed. */
export async function execInService(docker: Docker, service: string, cmd: string[]): Promise<ExecResult> {
  return execInContainer(docker, await runningContainer(docker, service), cmd);
}

/** Runs `cmd` in a container (as `docker exec` does) and collects what it printed. */
export async function execInContainer(docker: Docker, id: string, cmd: string[]): Promise<ExecResult> {
  const container = docker.getContainer(id);
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d: Buffer) => (stdout += d.toString()));
  err.on("data", (d: Buffer) => (stderr += d.toString()));
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? -1, stdout, stderr };
}
