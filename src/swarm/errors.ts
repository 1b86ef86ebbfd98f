/**
 * Docker errors, cleaned up for users and classified for the controller's retry policy:
 * retryable ones (Docker unreachable, a stale version) are retried with backoff, terminal ones
 * (an invalid spec, a missing object) wait for the input to change.
 */

const RETRYABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOENT", // the socket file is missing: dockerd is (re)starting
  "EPIPE",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

/** 5xx texts Swarm uses for errors that no retry will fix. */
const TERMINAL_SERVER_TEXTS = [
  /InvalidArgument/i,
  /invalid (mount|spec|argument|reference)/i,
  // Swarm 20.10 answers a malformed placement constraint with a 500.
  /constraint expected one operator/i,
  /is not a valid/i,
];

export class DockerError extends Error {
  override readonly name = "DockerError";
  /** The HTTP status Docker answered with; undefined when Docker was not reached. */
  readonly statusCode: number | undefined;
  readonly retryable: boolean;
  /** Set when Docker could not be reached at all (socket missing, connection refused, ...). */
  readonly code: string | undefined;

  constructor(
    message: string,
    options: { statusCode?: number; code?: string; retryable: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

interface RawDockerError {
  message?: unknown;
  statusCode?: unknown;
  code?: unknown;
  json?: unknown;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;

/** HTTP status of a Docker API error, if Docker answered. */
export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof DockerError) return err.statusCode;
  const status = asRecord(err)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Docker's own `message` (from its JSON body), without an "(HTTP code 500) ..." prefix. */
export function dockerMessage(err: unknown): string {
  if (err instanceof DockerError) return err.message;
  const raw = asRecord(err) as RawDockerError | undefined;
  const json = raw?.json;
  const jsonMessage = asRecord(json)?.message;
  if (typeof jsonMessage === "string" && jsonMessage) return jsonMessage.trim();
  if (typeof json === "string" && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString("utf8").trim();
  const message = typeof raw?.message === "string" ? raw.message : String(err);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}

function codeOf(err: unknown): string | undefined {
  const code = asRecord(err)?.code;
  if (typeof code === "string") return code;
  const cause = asRecord(asRecord(err)?.cause)?.code;
  return typeof cause === "string" ? cause : undefined;
}

/** True for errors a retry (after re-observing) can fix; false for terminal ones. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof DockerError) return err.retryable;
  const status = statusCodeOf(err);
  const message = dockerMessage(err);
  if (status === undefined) {
    const code = codeOf(err);
    if (code !== undefined && RETRYABLE_CODES.has(code)) return true;
    return /socket hang up|timed? ?out|ECONNRESET|ECONNREFUSED/i.test(message);
  }
  if (/update out of sequence/i.test(message)) return true;
  if (status === 409) return true;
  if (status >= 500) return !TERMINAL_SERVER_TEXTS.some((re) => re.test(message));
  return false;
}

/** Wraps any error of a Docker call into a `DockerError` with a clean message and its class. */
export function toDockerError(err: unknown, context?: string): DockerError {
  if (err instanceof DockerError) {
    if (!context) return err;
    return new DockerError(`${context}: ${err.message}`, {
      statusCode: err.statusCode,
      code: err.code,
      retryable: err.retryable,
      cause: err.cause,
    });
  }
  const code = codeOf(err);
  const statusCode = statusCodeOf(err);
  let message = dockerMessage(err);
  if (statusCode === undefined && code !== undefined && RETRYABLE_CODES.has(code)) {
    message = `cannot reach Docker (${message})`;
  }
  return new DockerError(context ? `${context}: ${message}` : message, {
    statusCode,
    code,
    retryable: isRetryable(err),
    cause: err,
  });
}
