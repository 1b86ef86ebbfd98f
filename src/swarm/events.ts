import type Docker from "dockerode";
import { toDockerError } from "./errors.js";

/** One Swarm event: only a hint that something changed; the controller re-reads the state. */
export interface SwarmEvent {
  type: "service" | "node";
  /** create, update, remove, ... */
  action: string;
  id: string;
  /** The service name, or the node's hostname/name when Docker includes it. */
  name?: string;
  /** Seconds since the epoch, as Docker reports it. */
  time?: number;
}

export interface EventWatch {
  /** Ends the subscription; no callback is called after it. */
  stop(): void;
  /** Settles once the subscription is open (events from then on are delivered) or has failed (then `onError` was called). */
  ready: Promise<void>;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

/** Parses one line of Docker's event stream; anything that is not a service or node event is null. */
export function parseEvent(line: string): SwarmEvent | null {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return null;
  }
  if (raw.Type !== "service" && raw.Type !== "node") return null;
  const event: SwarmEvent = { type: raw.Type, action: raw.Action ?? "", id: raw.Actor?.ID ?? "" };
  const name = raw.Actor?.Attributes?.name;
  if (name) event.name = name;
  if (typeof raw.time === "number") event.time = raw.time;
  return event;
}

/**
 * Subscribes to Docker's service and node events. When the stream ends or fails, `onError` is
 * called once (the controller reconnects and resyncs, since events may have been missed).
 */
export function watchEvents(
  docker: Docker,
  onEvent: (event: SwarmEvent) => void,
  onError: (err: Error) => void,
): EventWatch {
  const abort = new AbortController();
  let stopped = false;
  let failed = false;
  let stream: NodeJS.ReadableStream | undefined;
  const fail = (err: unknown): void => {
    if (stopped || failed) return;
    failed = true;
    onError(toDockerError(err, "Docker event stream"));
  };

  const ready = docker
    .getEvents({ filters: { type: ["service", "node"] }, abortSignal: abort.signal })
    .then((events) => {
      stream = events;
      if (stopped) {
        destroy(events);
        return;
      }
      let buffer = "";
      events.on("data", (chunk: Buffer | string) => {
        buffer += chunk.toString();
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          const event = line ? parseEvent(line) : null;
          if (event && !stopped) onEvent(event);
          newline = buffer.indexOf("\n");
        }
      });
      events.on("error", fail);
      events.on("end", () => fail(new Error("the stream ended")));
      events.on("close", () => fail(new Error("the stream closed")));
    })
    .catch((err: unknown) => {
      fail(err);
    });

  return {
    stop() {
      stopped = true;
      abort.abort();
      if (stream) destroy(stream);
    },
    ready,
  };
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
