import { createHmac, timingSafeEqual } from "node:crypto";

export type HeaderValue = string | string[] | undefined;

export type WebhookVerdict =
  { ok: true; method: "hmac" | "bearer" | "token" } | { ok: false; reason: string };

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Constant-time comparison of two strings (their lengths are not secret: digests have a fixed one). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  if (x.length !== y.length) {
    // Compare anyway, so a wrong length costs about the same time as a wrong value.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** `sha256=<hex>` as GitHub sends it in `X-Hub-Signature-256`. */
export function signBody(secret: string, body: Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Accepts a webhook request that proves it knows `secret` in one of three ways: a GitHub-style
 * HMAC of the body (`X-Hub-Signature-256: sha256=<hex>`), `Authorization: Bearer <secret>`, or
 * `X-Alacrity-Token: <secret>`. Header names are lower-case, as Node gives them.
 */
export function verifyWebhook(
  headers: Record<string, HeaderValue>,
  body: Buffer,
  secret: string,
): WebhookVerdict {
  if (secret.length === 0) return { ok: false, reason: "no webhook secret is configured" };
  const signature = first(headers["x-hub-signature-256"]);
  if (signature !== undefined) {
    return safeEqual(signature.trim().toLowerCase(), signBody(secret, body))
      ? { ok: true, method: "hmac" }
      : { ok: false, reason: "X-Hub-Signature-256 does not match the body" };
  }
  const authorization = first(headers.authorization);
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!match?.[1]) return { ok: false, reason: "Authorization is not a Bearer token" };
    return safeEqual(match[1], secret)
      ? { ok: true, method: "bearer" }
      : { ok: false, reason: "the Bearer token is wrong" };
  }
  const token = first(headers["x-alacrity-token"]);
  if (token !== undefined) {
    return safeEqual(token.trim(), secret)
      ? { ok: true, method: "token" }
      : { ok: false, reason: "X-Alacrity-Token is wrong" };
  }
  return {
    ok: false,
    reason: "unsigned: send X-Hub-Signature-256, Authorization: Bearer or X-Alacrity-Token",
  };
}
