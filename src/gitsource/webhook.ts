import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { verifyBody, verifyHeaders } from "./webhookAuth.js";

export interface WebhookOptions {
  secret: string;
  /** What a valid request does: fetch now (Git mode) or resync (plain directory mode). */
  trigger: (reason: string) => void;
  logger: Logger;
  /** Larger bodies are refused with 413 before they are read whole. Default 1 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * Requests whose bodies are read at once; past it, 503 with `Retry-After`. Only a request that
 * claims an HMAC signature has its body read, and who sent it is known only once all of it is in:
 * this bound keeps senders of slow or never-finished bodies from making the controller hold more
 * than 8 × `maxBodyBytes` (8 MiB by default). A forge sends one request per push.
 */
export const MAX_BODIES_IN_FLIGHT = 8;

class BodyTooLarge extends Error {}
class BodyAborted extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    // The sender went away mid-body, or a server timeout cut it: settle, freeing its slot.
    req.on("error", () => reject(new BodyAborted()));
    req.on("close", () => reject(new BodyAborted()));
  });
}

function reply(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  extra: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...extra,
  });
  res.end(text);
}

/**
 * For a reply sent before the request's body was read: Node closes the connection once the reply
 * is flushed, so the rest of the body is never read or held.
 */
const UNREAD = { connection: "close" };

/**
 * `POST /hooks/git`: a push notification from GitHub, GitLab, Gitea or a CI job. It only asks for
 * an immediate fetch (the payload is not trusted for anything else, not even the commit id), so
 * a valid request is answered 202 at once and a burst of them costs one extra fetch.
 */
export function webhookHandler(
  options: WebhookOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = options.maxBodyBytes ?? DEFAULT_WEBHOOK_BODY_LIMIT;
  const log = options.logger.child({ component: "webhook" });
  let bodiesInFlight = 0;
  const refuse = (req: IncomingMessage, res: ServerResponse, reason: string, unread: boolean): void => {
    log.warn({ remote: req.socket.remoteAddress, reason }, "webhook refused");
    reply(
      res,
      401,
      { error: reason },
      { "www-authenticate": 'Bearer realm="alacrity"', ...(unread ? UNREAD : {}) },
    );
  };
  const accept = (req: IncomingMessage, method: string): void => {
    const event =
      req.headers["x-github-event"] ?? req.headers["x-gitlab-event"] ?? req.headers["x-gitea-event"];
    log.info({ method, event }, "webhook accepted; syncing now");
    options.trigger("webhook");
  };
  return async (req, res) => {
    const headers = verifyHeaders(req.headers, options.secret);
    if (headers.ok === false) {
      refuse(req, res, headers.reason, true);
      return;
    }
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reply(res, 413, { error: `body larger than ${limit} bytes` }, UNREAD);
      return;
    }
    if (headers.ok === true) {
      // A token in the headers is the whole proof: the body is not needed.
      accept(req, headers.method);
      reply(res, 202, { accepted: true }, UNREAD);
      return;
    }
    if (bodiesInFlight >= MAX_BODIES_IN_FLIGHT) {
      reply(
        res,
        503,
        { error: "too many webhook requests at once; retry" },
        { "retry-after": "1", ...UNREAD },
      );
      return;
    }
    let body: Buffer;
    bodiesInFlight++;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        reply(res, 413, { error: `body larger than ${limit} bytes` }, UNREAD);
        return;
      }
      // BodyAborted: nobody is left to answer.
      res.destroy();
      return;
    } finally {
      bodiesInFlight--;
    }
    const verdict = verifyBody(headers.signature, body, options.secret);
    if (!verdict.ok) {
      refuse(req, res, verdict.reason, false);
      return;
    }
    accept(req, verdict.method);
    reply(res, 202, { accepted: true });
  };
}
