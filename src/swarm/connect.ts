import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EngineClient } from "./engineClient.js";

/** Where and how the Engine API is reached. */
export interface DockerConnectionOptions {
  socketPath?: string;
  protocol?: "http" | "https" | "ssh";
  host?: string;
  port?: number;
  /** For `ssh://user@host`: the SSH user (the agent in `SSH_AUTH_SOCK` authenticates). */
  username?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const DEFAULT_SOCKET = "/var/run/docker.sock";

/**
 * Works out how to reach Docker the way the Docker CLI does: `DOCKER_HOST` (`unix://PATH`,
 * `tcp://HOST:PORT`, `ssh://USER@HOST`), TLS when `DOCKER_TLS_VERIFY` is set (non-empty, as the CLI reads it) with
 * `ca.pem`, `cert.pem` and `key.pem` from `DOCKER_CERT_PATH` (default `~/.docker`), else the
 * local socket. No API version is set: the engine's own version is used, so a 1.41 engine works.
 */
export function connectionOptions(env: NodeJS.ProcessEnv = process.env): DockerConnectionOptions {
  const dockerHost = env.DOCKER_HOST?.trim();
  if (!dockerHost) return { socketPath: DEFAULT_SOCKET };
  if (dockerHost.startsWith("unix://")) {
    return { socketPath: dockerHost.slice("unix://".length) || DEFAULT_SOCKET };
  }
  const withScheme = dockerHost.includes("://") ? dockerHost : `tcp://${dockerHost}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(
      `DOCKER_HOST must look like unix:///var/run/docker.sock or tcp://HOST:PORT (got ${JSON.stringify(dockerHost)})`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (url.protocol === "ssh:") {
    const ssh: DockerConnectionOptions = { protocol: "ssh", host, port: url.port ? Number(url.port) : 22 };
    if (url.username) ssh.username = decodeURIComponent(url.username);
    return ssh;
  }
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(
      `DOCKER_HOST scheme ${url.protocol.replace(/:$/, "")}:// is not supported; use unix://, tcp:// or ssh:// (got ${JSON.stringify(dockerHost)})`,
    );
  }
  const tls = Boolean(env.DOCKER_TLS_VERIFY) || url.protocol === "https:";
  // The CLI's defaults: 2376 with TLS, 2375 without.
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  if (!tls) return { protocol: "http", host, port };
  const certPath = env.DOCKER_CERT_PATH || join(env.HOME ?? homedir(), ".docker");
  const read = (file: string): Buffer => {
    const path = join(certPath, file);
    try {
      return readFileSync(path);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(
        `DOCKER_TLS_VERIFY is set but ${path} cannot be read (${reason}); set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem`,
      );
    }
  };
  return { protocol: "https", host, port, ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}

/** A client reaching Docker as the Docker CLI would (see `connectionOptions`). */
export function connectDocker(env: NodeJS.ProcessEnv = process.env): EngineClient {
  return new EngineClient(connectionOptions(env));
}
