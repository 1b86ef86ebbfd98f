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

/** What the headers alone say: accepted, refused, or "verify this signature against the body". */
export type HeaderVerdict =
  | { ok: true; method: "bearer" | "token" }
  | { ok: false; reason: string }
  | { ok: "needs-body"; signature: string };

/**
 * The first stage of accepting a webhook request, before any of its body is read: a request that
 * proves it knows `secret` by `Authorization: Bearer <secret>` or `X-Alacrity-Token: <secret>` is
 * accepted, one with a GitHub-style `X-Hub-Signature-256: sha256=<hex>` must have its body checked
 * by `verifyBody`, any other is refused. Reading a body only for a request that claims a signature
 * keeps anonymous senders from making the controller hold their bodies. Header names are
 * lower-case, as Node gives them.
 */
export function verifyHeaders(headers: Record<string, HeaderValue>, secret: string): HeaderVerdict {
  if (secret.length === 0) return { ok: false, reason: "no webhook secret is configured" };
  const signature = first(headers["x-hub-signature-256"]);
  if (signature !== undefined) return { ok: "needs-body", signature };
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

/** The second stage, for a request `verifyHeaders` answered "needs-body": the HMAC of its body. */
export function verifyBody(signature: string, body: Buffer, secret: string): WebhookVerdict {
  if (secret.length === 0) return { ok: false, reason: "no webhook secret is configured" };
  return safeEqual(signature.trim().toLowerCase(), signBody(secret, body))
    ? { ok: true, method: "hmac" }
    : { ok: false, reason: "X-Hub-Signature-256 does not match the body" };
}
