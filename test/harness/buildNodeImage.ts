import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The script that builds the Docker-in-Docker node image; it prints the image tag on stdout. */
export const BUILD_NODE_IMAGE_SCRIPT = fileURLToPath(
  new URL("../../scripts/build-node-image.sh", import.meta.url),
);

/**
 * Builds the Swarm node image, or reuses it: the script tags it by a hash of its own content and
 * returns at once when that tag exists. The first build runs debootstrap (about a minute).
 */
export async function buildNodeImage(): Promise<string> {
  const { stdout } = await execFileAsync("bash", [BUILD_NODE_IMAGE_SCRIPT], {
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tag = stdout.trim().split("\n").at(-1) ?? "";
  if (!/^alacrity-test\/swarm-node:[0-9a-f]+$/.test(tag)) {
    throw new Error(
      `expected ${BUILD_NODE_IMAGE_SCRIPT} to print an image tag, got ${JSON.stringify(stdout)}`,
    );
  }
  return tag;
}
