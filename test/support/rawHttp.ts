import { connect, type Socket } from "node:net";

/** What a raw connection received: the response's status (0 when none came) and whether it closed. */
export interface RawOutcome {
  status: number;
  headers: string;
  closed: boolean;
}

/**
 * A connection that sends exactly the bytes given, for requests no HTTP client sends: headers
 * without the promised body, headers sent slowly. `response` resolves at the first response head,
 * `closed` when the server closes the connection.
 */
export interface RawConnection {
  socket: Socket;
  /** Resolves once connected. */
  ready: Promise<void>;
  response: Promise<RawOutcome>;
  closed: Promise<void>;
  /** The outcome so far: status 0 when no response head came yet. */
  now(): RawOutcome;
}

export function rawConnection(port: number, initial = ""): RawConnection {
  const socket = connect({ host: "127.0.0.1", port });
  let received = "";
  let closed = false;
  const now = (): RawOutcome => {
    const end = received.indexOf("\r\n\r\n");
    const head = end < 0 ? "" : received.slice(0, end);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    return { status, headers: head.toLowerCase(), closed };
  };
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => {
      if (initial) socket.write(initial);
      resolve();
    });
    socket.once("error", reject);
  });
  const closedPromise = new Promise<void>((resolve) => {
    socket.on("close", () => {
      closed = true;
      resolve();
    });
  });
  // A reset after the response counts as a close, not a test failure.
  socket.on("error", () => undefined);
  const response = new Promise<RawOutcome>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n\r\n")) resolve(now());
    });
    socket.on("close", () => resolve(now()));
  });
  return { socket, ready, response, closed: closedPromise, now };
}

/** `promise`, or a rejection naming `what` when it takes longer than `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
