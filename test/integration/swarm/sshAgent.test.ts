import { spawnSync } from "node:child_process";
import { get } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { SshAgent, sshArgs } from "../../../src/swarm/sshAgent.js";
import { eventually } from "../../support/poll.js";
import { standInSsh, type StandInSsh } from "../../support/standInSsh.js";

let ssh: StandInSsh | undefined;
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
  ssh?.dispose();
  ssh = undefined;
});

function ping(agent: SshAgent): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "docker", path: "/_ping", agent }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve(body));
      res.on("error", reject);
    }).on("error", reject);
  });
}

describe("SshAgent", () => {
  it("keeps a connection and its ssh for the next request, and closes them once idle", async () => {
    ssh = standInSsh();
    process.env.PATH = ssh.path;
    const agent = new SshAgent({ host: "swarm-manager" }, { idleMs: 300 });
    expect(await ping(agent)).toBe("OK");
    expect(await ping(agent)).toBe("OK");
    expect(ssh.calls()).toHaveLength(1);
    await eventually(() => Object.keys(agent.freeSockets).length === 0, {
      what: "the idle connection closed",
    });
    expect(await ping(agent)).toBe("OK");
    expect(ssh.calls()).toHaveLength(2);
    agent.destroy();
  });

  it("quotes the remote socket path for the far side's shell", () => {
    const socketPath = "/run/it's here/docker.sock";
    const args = sshArgs({ host: "swarm-manager", socketPath });
    const line = args.at(-1)!;
    expect(line).not.toBe(`docker --host=unix://${socketPath} system dial-stdio`);
    // The words the remote shell hands to `docker`:
    const words = spawnSync("sh", ["-c", `docker() { printf '%s\\n' "$@"; }; ${line}`], { encoding: "utf8" });
    expect(words.stdout.split("\n").slice(0, -1)).toEqual([
      `--host=unix://${socketPath}`,
      "system",
      "dial-stdio",
    ]);
  });
});
