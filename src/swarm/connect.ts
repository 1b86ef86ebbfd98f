import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import Docker from "dockerode";
import { SshAgent, type SshTarget } from "./sshAgent.js";

/** Where and how the Engine API is reached: the dockerode options `connectDocker` decides. */
export interface DockerConnectionOptions {
  socketPath?: string;
  protocol?: "http" | "https" | "ssh";
  host?: string;
  /** For ssh://, only when DOCKER_HOST names one: otherwise the user's ssh configuration decides. */
  port?: number;
  /** For `ssh://user@host`: the SSH user, else the user's ssh configuration decides. */
  username?: string;
  /** For `ssh://host/PATH`: the engine's socket on that host, else the remote CLI's default. */
  remoteSocketPath?: string;
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
    const ssh: DockerConnectionOptions = { protocol: "ssh", host };
    if (url.port) ssh.port = Number(url.port);
    if (url.username) ssh.username = decodeURIComponent(url.username);
    // As the Docker CLI: a path other than "/" names the engine's socket on that host.
    if (url.pathname.replace(/\//g, "")) ssh.remoteSocketPath = decodeURIComponent(url.pathname);
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

/**
 * A dockerode client reaching Docker as the Docker CLI would (see `connectionOptions`).
 *
 * docker-modem also reads the environment itself, with other defaults than the CLI's (port 80 for
 * `tcp://HOST`, TLS only for `DOCKER_TLS_VERIFY=1`); naming every key it would take from there,
 * even as undefined, keeps `env` the only source of truth. Without an agent docker-modem would use
 * Node's global one, whose 5 s idle timeout is re-armed on every request: a keep-alive agent of
 * our own without one costs ~60 µs less per request (a cold apply of 1000 apps sends 1000).
 *
 * ssh:// hosts are reached through the user's own `ssh` (see `SshAgent`), as plain HTTP over its
 * standard input and output, never through docker-modem's ssh2 client, which checks no host key
 * and reads neither ~/.ssh/config nor the user's keys.
 */
export function connectDocker(env: NodeJS.ProcessEnv = process.env): Docker {
  const options = connectionOptions(env);
  const ssh = options.protocol === "ssh";
  try {
    return new Docker({
      socketPath: options.socketPath,
      protocol: ssh ? "http" : options.protocol,
      // Over ssh, the host and port are ssh's business: HTTP only needs a name for its pool.
      host: ssh ? "docker" : options.host,
      port: ssh ? undefined : options.port,
      agent: ssh ? new SshAgent(sshTarget(options)) : keepAliveAgent(options),
      username: undefined,
      sshOptions: undefined,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pathPrefix: "/",
      timeout: undefined,
      version: undefined,
    } as Docker.DockerOptions);
  } catch (err) {
    // docker-modem reads DOCKER_CERT_PATH's files eagerly, even when TLS is not asked for.
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot set up the Docker client from DOCKER_HOST and DOCKER_CERT_PATH: ${reason}`);
  }
}

function keepAliveAgent(options: DockerConnectionOptions): HttpAgent {
  if (options.protocol !== "https") return new HttpAgent({ keepAlive: true });
  return new HttpsAgent({ keepAlive: true, ca: options.ca, cert: options.cert, key: options.key });
}

function sshTarget(options: DockerConnectionOptions): SshTarget {
  const target: SshTarget = { host: options.host ?? "" };
  if (options.port !== undefined) target.port = options.port;
  if (options.username !== undefined) target.username = options.username;
  if (options.remoteSocketPath !== undefined) target.socketPath = options.remoteSocketPath;
  return target;
}
