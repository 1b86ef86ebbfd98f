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
import { startSshServer } from "../../support/sshServer.js";

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

  it("reads ssh:// hosts with their user and the CLI's default port", () => {
    expect(connectionOptions({ DOCKER_HOST: "ssh://deploy@swarm-manager" })).toEqual({
      protocol: "ssh",
      host: "swarm-manager",
      port: 22,
      username: "deploy",
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
      expect(proxy.requests).toHaveLength(16);
      expect(proxy.requests.every((r) => r.target.startsWith(r.path))).toBe(true);
      // Three observes of five list calls at once: one pool of at most five connections, reused.
      expect(proxy.connections).toBeGreaterThan(0);
      expect(proxy.connections).toBeLessThanOrEqual(5);
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

  it("reaches ssh:// hosts by running `docker system dial-stdio` there, as the Docker CLI does", async () => {
    const ssh = await startSshServer();
    try {
      const docker = connectDocker({ DOCKER_HOST: ssh.dockerHost("deploy") });
      const observed = await observe(docker);
      expect(observed.nodes.length).toBeGreaterThan(0);
      expect(ssh.commands).toHaveLength(5);
      expect(new Set(ssh.commands)).toEqual(new Set(["docker system dial-stdio"]));
      expect(new Set(ssh.logins.map((login) => login.username))).toEqual(new Set(["deploy"]));
    } finally {
      await ssh.close();
    }
  });

  it("says why an ssh:// host cannot be reached", async () => {
    const ssh = await startSshServer({ refuseLogins: true });
    try {
      const refused = await observe(connectDocker({ DOCKER_HOST: ssh.dockerHost("deploy") })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(DockerError);
      expect((refused as DockerError).message).toMatch(/authentication methods failed/);
      expect(ssh.logins.length).toBeGreaterThan(0);
    } finally {
      await ssh.close();
    }
    // Nothing listens on port 1 of loopback.
    const unreachable = await observe(connectDocker({ DOCKER_HOST: "ssh://deploy@127.0.0.1:1" })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((unreachable as DockerError).message).toMatch(/cannot reach Docker \(.*ECONNREFUSED/);
    expect(isRetryable(unreachable)).toBe(true);
  });
});
