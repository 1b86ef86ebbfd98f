import { spawn } from "node:child_process";
import { Agent } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { backgroundClock, type Clock, type TimerHandle } from "../domain/clock.js";

/** Where an `ssh://[USER@]HOST[:PORT][/SOCKET]` DOCKER_HOST points. */
export interface SshTarget {
  host: string;
  /** Only when the URL names one: otherwise ssh's own configuration decides. */
  port?: number;
  username?: string;
  /** The engine's socket on that host, when not the remote `docker`'s default. */
  socketPath?: string;
}

/** How long an idle connection (and its ssh process) is kept for the next request. */
const IDLE_MS = 90_000;

const STDERR_LIMIT = 4096;

/** Quotes a word for the POSIX shell ssh runs the remote command in. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The arguments of `ssh` for one connection, in the Docker CLI's form (docker/cli's
 * cli/connhelper): user and port only when the URL names them, a 30 s connect timeout, no
 * terminal, `--` before the host, and the remote command as one line for the remote shell.
 */
export function sshArgs(target: SshTarget): string[] {
  const args: string[] = [];
  if (target.username !== undefined) args.push("-l", target.username);
  if (target.port !== undefined) args.push("-p", String(target.port));
  args.push("-o", "ConnectTimeout=30", "-T", "--", target.host);
  const remote = ["docker"];
  if (target.socketPath !== undefined) remote.push(`--host=unix://${target.socketPath}`);
  remote.push("system", "dial-stdio");
  args.push(remote.map(shellWord).join(" "));
  return args;
}

/**
 * One connection to a remote engine: the user's own `ssh` (their known_hosts, ~/.ssh/config,
 * keys and agent) running `docker system dial-stdio` there, whose standard input and output
 * carry the HTTP exchange. When ssh fails, the stream fails with ssh's exit status and message.
 */
class SshConnection extends Duplex {
  readonly #child;
  #stderr = "";

  constructor(target: SshTarget) {
    super();
    const child = spawn("ssh", sshArgs(target), { stdio: ["pipe", "pipe", "pipe"] });
    this.#child = child;
    child.stdin.on("error", () => undefined);
    child.stdout.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (this.#stderr.length < STDERR_LIMIT) this.#stderr += chunk.toString("utf8");
    });
    // ECONNREFUSED: Docker was not reached, which a later attempt may fix.
    const fail = (message: string): void => {
      this.destroy(Object.assign(new Error(message), { code: "ECONNREFUSED" }));
    };
    child.on("error", (err) => fail(`cannot run ssh: ${err.message}`));
    // `close` comes once the output has been read to its end and the exit status is known.
    child.on("close", (code) => {
      if (code === 0 || code === null) this.push(null);
      else fail(`ssh ${target.host} exited with ${code}: ${this.#stderr.trim()}`);
    });
  }

  // A write to an ssh that already failed would only say EPIPE: its exit status says why.
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.#child.stdin.write(chunk, () => done());
  }

  override _final(done: () => void): void {
    this.#child.stdin.end();
    done();
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.#child.kill();
    done(err);
  }

  /** An idle connection must not keep the process alive, as an idle socket would not. */
  unref(): this {
    this.#child.unref();
    for (const pipe of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) (pipe as Socket).unref();
    return this;
  }

  ref(): this {
    this.#child.ref();
    for (const pipe of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) (pipe as Socket).ref();
    return this;
  }

  // node:http calls these on its sockets. ssh keeps its own connection alive, and connectDocker
  // sets no request timeout, so they have nothing to do.
  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }
}

/**
 * The HTTP agent for an `ssh://` DOCKER_HOST: one ssh process per connection, as the Docker CLI
 * makes, and connections kept alive for the next requests, closed after `idleMs` (90 s) unused.
 */
export class SshAgent extends Agent {
  readonly #target: SshTarget;
  readonly #idleMs: number;
  readonly #clock: Clock;
  readonly #idle = new WeakMap<Duplex, TimerHandle>();

  /**
   * `clock` times the idle close; by default its timers never keep the process alive, as the idle
   * connection does not.
   */
  constructor(target: SshTarget, options: { idleMs?: number; clock?: Clock } = {}) {
    super({ keepAlive: true });
    this.#target = target;
    this.#idleMs = options.idleMs ?? IDLE_MS;
    this.#clock = options.clock ?? backgroundClock;
  }

  override createConnection(): Duplex {
    return new SshConnection(this.#target);
  }

  override keepSocketAlive(socket: Duplex): boolean {
    // Node documents this hook's boolean result (false: close the socket) though its types say void.
    (socket as SshConnection).unref();
    this.#idle.set(
      socket,
      this.#clock.setTimeout(() => socket.destroy(), this.#idleMs),
    );
    return true;
  }

  override reuseSocket(socket: Duplex): void {
    this.#clock.clearTimeout(this.#idle.get(socket));
    this.#idle.delete(socket);
    (socket as SshConnection).ref();
  }
}
