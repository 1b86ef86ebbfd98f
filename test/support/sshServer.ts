import { createConnection } from "node:net";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";

export interface SshLogin {
  username: string;
  method: string;
}

export interface TestSshServer {
  /** `ssh://USER@127.0.0.1:PORT`, for DOCKER_HOST. */
  dockerHost(user: string): string;
  readonly logins: readonly SshLogin[];
  /** The commands clients asked to run, in order. */
  readonly commands: readonly string[];
  close(): Promise<void>;
}

/**
 * An SSH server on loopback standing in for a remote Docker host: it lets in every login (`none`
 * authentication) unless `refuseLogins`, and runs `docker system dial-stdio` by joining the
 * session to the local Docker socket, as that command does on a real host.
 */
export async function startSshServer(options: { refuseLogins?: boolean } = {}): Promise<TestSshServer> {
  const hostKey = ssh2.utils.generateKeyPairSync("ed25519").private;
  const logins: SshLogin[] = [];
  const commands: string[] = [];
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      logins.push({ username: ctx.username, method: ctx.method });
      if (options.refuseLogins) ctx.reject([]);
      else ctx.accept();
    });
    client.on("session", (acceptSession) => {
      acceptSession().on("exec", (accept, reject, info) => {
        commands.push(info.command);
        if (info.command !== "docker system dial-stdio") return reject();
        const channel = accept();
        const docker = createConnection("/var/run/docker.sock");
        channel.pipe(docker).pipe(channel);
        docker.on("error", () => channel.close());
        channel.on("close", () => docker.destroy());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    dockerHost: (user) => `ssh://${user}@127.0.0.1:${port}`,
    logins,
    commands,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
