import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { verifyWebhook } from "./webhookAuth.js";

export interface WebhookOptions {
  secret: string;
  /** What a valid request does: fetch now (Git mode) or resync (plain directory mode). */
  trigger: (reason: string) => void;
  logger: Logger;
  /** Larger bodies are refused with 413 before they are read whole. Default 1 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_WEBHOOK_BODY_LIMIT = 1024 * 1024;

class BodyTooLarge extends Error {}

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
    req.on("error", reject);
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
 * `POST /hooks/git`: a push notification from GitHub, GitLab, Gitea or a CI job. It only asks for
 * an immediate fetch (the payload is not trusted for anything else, not even the commit id), so
 * a valid request is answered 202 at once and a burst of them costs one extra fetch.
 */
export function webhookHandler(
  options: WebhookOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = options.maxBodyBytes ?? DEFAULT_WEBHOOK_BODY_LIMIT;
  const log = options.logger.child({ component: "webhook" });
  return async (req, res) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reply(res, 413, { error: `body larger than ${limit} bytes` }, { connection: "close" });
      req.destroy();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        reply(res, 413, { error: `body larger than ${limit} bytes` }, { connection: "close" });
        req.destroy();
        return;
      }
      throw error;
    }
    const verdict = verifyWebhook(req.headers, body, options.secret);
    if (!verdict.ok) {
      log.warn({ remote: req.socket.remoteAddress, reason: verdict.reason }, "webhook refused");
      reply(res, 401, { error: verdict.reason }, { "www-authenticate": 'Bearer realm="alacrity"' });
      return;
    }
    const event =
      req.headers["x-github-event"] ?? req.headers["x-gitlab-event"] ?? req.headers["x-gitea-event"];
    log.info({ method: verdict.method, event }, "webhook accepted; syncing now");
    options.trigger("webhook");
    reply(res, 202, { accepted: true });
  };
}
