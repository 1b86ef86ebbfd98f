import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectDocker, connectionOptions } from "../../../src/swarm/connect.js";
import { DockerError, isRetryable } from "../../../src/swarm/errors.js";
import { observe } from "../../../src/swarm/observe.js";

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
  it("reaches the real engine through DOCKER_HOST=unix://, without pinning an API version in the path", async () => {
    const docker = connectDocker({ DOCKER_HOST: "unix:///var/run/docker.sock" });
    const paths: string[] = [];
    docker.observeRequests((_method, path) => paths.push(path));
    const version = await docker.json<{ ApiVersion: string }>({ method: "GET", path: "/version" });
    expect(Number(version.ApiVersion)).toBeGreaterThanOrEqual(1.41);
    expect((await observe(docker)).nodes.length).toBeGreaterThan(0);
    expect(paths.length).toBe(6);
    expect(paths.every((path) => !/^\/v\d/.test(path))).toBe(true);
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
    const err = await docker.inspectService("t-swarm-connect-no-such-service").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).statusCode).toBe(404);
    expect((err as DockerError).message).toMatch(/service t-swarm-connect-no-such-service not found/);
    expect(isRetryable(err)).toBe(false);
  });

  it("reaches ssh:// hosts through `ssh HOST docker system dial-stdio`, as the Docker CLI does", async () => {
    // A stand-in for ssh that records its arguments and runs the far side's command here.
    const bin = mkdtempSync(join(tmpdir(), "t-swarm-ssh-"));
    const argsFile = join(bin, "args");
    writeFileSync(
      join(bin, "ssh"),
      `#!/bin/sh\necho "$@" >> ${argsFile}\nshift $(( $# - 2 ))\nexec docker "$@"\n`,
      { mode: 0o755 },
    );
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ""}`;
    try {
      const docker = connectDocker({ DOCKER_HOST: "ssh://deploy@swarm-manager:2222" });
      const observed = await observe(docker);
      expect(observed.nodes.length).toBeGreaterThan(0);
      const calls = readFileSync(argsFile, "utf8").trim().split("\n");
      expect(calls).toHaveLength(5);
      expect(calls[0]).toBe("-l deploy -p 2222 -- swarm-manager docker system dial-stdio");
    } finally {
      process.env.PATH = savedPath;
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("says why an ssh:// host cannot be reached", async () => {
    const bin = mkdtempSync(join(tmpdir(), "t-swarm-ssh-"));
    writeFileSync(join(bin, "ssh"), "#!/bin/sh\necho 'Permission denied (publickey).' >&2\nexit 255\n", {
      mode: 0o755,
    });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ""}`;
    try {
      const err = await observe(connectDocker({ DOCKER_HOST: "ssh://deploy@swarm-manager" })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DockerError);
      expect((err as DockerError).message).toMatch(/ssh swarm-manager exited with 255: Permission denied/);
      expect(isRetryable(err)).toBe(true);
    } finally {
      process.env.PATH = savedPath;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
