import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectDocker, connectionOptions } from "../../../src/swarm/connect.js";
import type { Action } from "../../../src/reconcile/types.js";
import { DockerError, isRetryable } from "../../../src/swarm/errors.js";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import { startDockerProxy } from "../../support/dockerProxy.js";
import { standInSsh, type StandInSsh } from "../../support/standInSsh.js";

const certDir = mkdtempSync(join(tmpdir(), "t-swarm-certs-"));
for (const file of ["ca.pem", "cert.pem", "key.pem"])
  writeFileSync(join(certDir, file), `contents of ${file}`);

afterAll(() => {
  rmSync(certDir, { recursive: true, force: true });
});

describe("connectionOptions: as the Docker CLI reads its environment", () => {
  it("uses the local socket when DOCKER_HOST is unset or empty", () => {
    expect(connectionOptions({})).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(connectionOptions({ DOCKER_HOST: "" })).toEqual({ socketPath: "/var/run/docker.sock" });
  });

  it("reads unix:// and tcp:// hosts, with the CLI's default ports", () => {
    expect(connectionOptions({ DOCKER_HOST: "unix:///run/user/docker.sock" })).toEqual({
      socketPath: "/run/user/docker.sock",
    });
    expect(connectionOptions({ DOCKER_HOST: "tcp://10.0.0.5:2375" })).toEqual({
      protocol: "http",
      host: "10.0.0.5",
      port: 2375,
    });
    expect(connectionOptions({ DOCKER_HOST: "tcp://dockerhost" })).toEqual({
      protocol: "http",
      host: "dockerhost",
      port: 2375,
    });
  });

  it("reads ssh:// hosts with their user, port and remote socket only when given, as the CLI does", () => {
    expect(connectionOptions({ DOCKER_HOST: "ssh://deploy@swarm-manager:2222" })).toEqual({
      protocol: "ssh",
      host: "swarm-manager",
      port: 2222,
      username: "deploy",
    });
    // No user, no port: ~/.ssh/config decides.
    expect(connectionOptions({ DOCKER_HOST: "ssh://swarm-manager" })).toEqual({
      protocol: "ssh",
      host: "swarm-manager",
    });
    expect(connectionOptions({ DOCKER_HOST: "ssh://swarm-manager/" })).toEqual({
      protocol: "ssh",
      host: "swarm-manager",
    });
    expect(connectionOptions({ DOCKER_HOST: "ssh://swarm-manager/run/user/docker.sock" })).toEqual({
      protocol: "ssh",
      host: "swarm-manager",
      remoteSocketPath: "/run/user/docker.sock",
    });
  });

  it("uses TLS with DOCKER_CERT_PATH's ca.pem, cert.pem and key.pem when DOCKER_TLS_VERIFY is set", () => {
    const options = connectionOptions({
      DOCKER_HOST: "tcp://dockerhost",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: certDir,
    });
    expect(options).toMatchObject({ protocol: "https", host: "dockerhost", port: 2376 });
    expect(options.ca?.toString()).toBe("contents of ca.pem");
    expect(options.cert?.toString()).toBe("contents of cert.pem");
    expect(options.key?.toString()).toBe("contents of key.pem");
  });

  it("says which certificate file is missing", () => {
    expect(() =>
      connectionOptions({
        DOCKER_HOST: "tcp://h:2376",
        DOCKER_TLS_VERIFY: "1",
        DOCKER_CERT_PATH: join(certDir, "nope"),
      }),
    ).toThrow(/DOCKER_TLS_VERIFY is set but .*nope\/ca\.pem cannot be read/);
  });

  it("rejects a scheme it cannot use", () => {
    expect(() => connectionOptions({ DOCKER_HOST: "ftp://h" })).toThrow(
      /ftp:\/\/ is not supported; use unix:\/\/, tcp:\/\/ or ssh:\/\//,
    );
  });
});

describe("connectDocker", () => {
  it("reaches the real engine through DOCKER_HOST=unix://, without pinning an API version in the path, on kept-alive connections", async () => {
    const proxy = await startDockerProxy({ socketPath: join(certDir, "proxy.sock") });
    try {
      const docker = connectDocker({ DOCKER_HOST: proxy.dockerHost });
      const version = await docker.version();
      expect(Number(version.ApiVersion)).toBeGreaterThanOrEqual(1.41);
      for (let i = 0; i < 3; i++) expect((await observe(docker)).nodes.length).toBeGreaterThan(0);
      // One version call, then three observes of seven list calls (services, tasks, nodes, volumes,
      // configs, networks, secrets: issue 16 added the last two).
      expect(proxy.requests).toHaveLength(22);
      expect(proxy.requests.every((r) => r.target.startsWith(r.path))).toBe(true);
      // One pool of at most seven connections (one per list call at once), reused.
      expect(proxy.connections).toBeGreaterThan(0);
      expect(proxy.connections).toBeLessThanOrEqual(7);
    } finally {
      await proxy.close();
    }
  });

  it("ignores the process's own DOCKER_HOST when given another environment", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///tmp/t-swarm-no-such.sock";
    try {
      const local = connectDocker({});
      expect((await observe(local)).nodes.length).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it("turns an unreachable socket into a retryable DockerError that says so", async () => {
    const docker = connectDocker({ DOCKER_HOST: "unix:///tmp/t-swarm-no-such.sock" });
    const err = await observe(docker).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toMatch(
      /^cannot read the Swarm state: cannot reach Docker \(.*ENOENT/,
    );
    expect(isRetryable(err)).toBe(true);
  });

  it("carries Docker's own message and status in the DockerError of a refused request", async () => {
    const docker = connectDocker({});
    const app = "t-swarm-connect-no-such-service";
    const action: Action = {
      kind: "scale",
      app,
      serviceId: app,
      version: 1,
      from: 1,
      to: 0,
      reason: "drift corrected",
    };
    const err = await execute(docker, action).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).statusCode).toBe(404);
    expect((err as DockerError).message).toBe(`cannot scale service ${app}: service ${app} not found`);
    expect(isRetryable(err)).toBe(false);
  });

  it("reaches ssh:// hosts through the user's `ssh` running `docker system dial-stdio`, one per kept-alive connection", async () => {
    const calls = await withSsh(standInSsh(), async (ssh) => {
      const docker = connectDocker({ DOCKER_HOST: "ssh://deploy@swarm-manager:2222" });
      expect((await observe(docker)).nodes.length).toBeGreaterThan(0);
      const opened = ssh.calls().length;
      // Five list calls at once: at most five connections, each its own ssh, reused afterwards.
      expect(opened).toBeGreaterThan(0);
      expect(opened).toBeLessThanOrEqual(7);
      for (let i = 0; i < 2; i++) expect((await observe(docker)).nodes.length).toBeGreaterThan(0);
      expect(ssh.calls()).toHaveLength(opened);
      return ssh.calls();
    });
    for (const args of calls) {
      expect(args).toEqual([
        "-l",
        "deploy",
        "-p",
        "2222",
        "-o",
        "ConnectTimeout=30",
        "-T",
        "--",
        "swarm-manager",
        "docker system dial-stdio",
      ]);
    }
  });

  it("leaves user and port to the ssh configuration when DOCKER_HOST names none, and passes a remote socket path", async () => {
    const calls = await withSsh(standInSsh(), async (ssh) => {
      const docker = connectDocker({ DOCKER_HOST: "ssh://swarm-manager/var/run/docker.sock" });
      const version = await docker.version();
      expect(Number(version.ApiVersion)).toBeGreaterThanOrEqual(1.41);
      return ssh.calls();
    });
    expect(calls).toEqual([
      [
        "-o",
        "ConnectTimeout=30",
        "-T",
        "--",
        "swarm-manager",
        "docker --host=unix:///var/run/docker.sock system dial-stdio",
      ],
    ]);
  });

  it("turns a failed ssh into a retryable DockerError carrying ssh's own message", async () => {
    const fail = { status: 255, stderr: "Host key verification failed." };
    const [err, calls] = await withSsh(standInSsh({ fail }), async (ssh) => {
      const observed = await observe(connectDocker({ DOCKER_HOST: "ssh://deploy@swarm-manager" })).then(
        () => undefined,
        (e: unknown) => e,
      );
      return [observed, ssh.calls()] as const;
    });
    expect(calls.length).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toBe(
      "cannot read the Swarm state: cannot reach Docker (ssh swarm-manager exited with 255: Host key verification failed.)",
    );
    expect(isRetryable(err)).toBe(true);
  });
});

/** Runs `body` with `ssh` first on this process's PATH, where the ssh:// transport looks for it. */
async function withSsh<T>(ssh: StandInSsh, body: (ssh: StandInSsh) => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = ssh.path;
  try {
    return await body(ssh);
  } finally {
    process.env.PATH = saved;
    ssh.dispose();
  }
}
