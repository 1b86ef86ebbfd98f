import type Docker from "dockerode";
import { toDockerError } from "./errors.js";

/**
 * A service's logs, stdout and stderr interleaved as Docker sent them. Without a TTY the Engine
 * frames each chunk (an 8-byte header: stream, three zero bytes, the length big-endian), and
 * dockerode hands back the raw frames when not following.
 */
export async function serviceLogs(docker: Docker, serviceId: string): Promise<string> {
  try {
    const raw = (await docker
      .getService(serviceId)
      .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer | string;
    return demux(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
  } catch (err) {
    throw toDockerError(err, `cannot read the logs of service ${serviceId}`);
  }
}

/** The frames' payloads; a buffer that is not framed (a TTY's) is returned as it is. */
export function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw[at];
    if ((stream !== 1 && stream !== 2) || raw[at + 1] !== 0 || raw[at + 2] !== 0 || raw[at + 3] !== 0)
      return raw.toString("utf8");
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  if (at < raw.length) parts.push(raw.subarray(at));
  return Buffer.concat(parts).toString("utf8");
}
