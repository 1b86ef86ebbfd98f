import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { dockerCli } from "./docker.js";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const IMAGE_REPOSITORY = "alacrity-test/alacrity";

/** What the image is built from (the .dockerignore allow-list, node_modules aside: the lock decides it). */
const INPUT_FILES = [
  "Dockerfile",
  ".dockerignore",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
];
const INPUT_DIRS = ["src", "schema"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A hash of every build input and of the base image, so an unchanged tree reuses its image. */
function contentHash(baseImageId: string): string {
  const hash = createHash("sha256").update(baseImageId);
  const files = [
    ...INPUT_FILES.map((f) => join(REPO_ROOT, f)),
    ...INPUT_DIRS.flatMap((d) => filesUnder(join(REPO_ROOT, d))),
  ].sort();
  for (const file of files) {
    hash.update(`\0${relative(REPO_ROOT, file)}\0`).update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 12);
}

/** Builds (or reuses) `alacrity-test/node:20` with scripts/build-node-base-image.sh; returns its tag. */
export function buildNodeBaseImage(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [join(REPO_ROOT, "scripts/build-node-base-image.sh")],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const tag = stdout.trim().split("\n").pop() ?? "";
        if (error || !tag)
          reject(
            new Error(
              `building the Node base image failed: ${error?.message ?? "it printed no tag"}\n${stderr}`,
            ),
          );
        else resolve(tag);
      },
    );
  });
}

async function imageExists(tag: string): Promise<boolean> {
  return dockerCli(["image", "inspect", "--format", "{{.Id}}", tag]).then(
    () => true,
    () => false,
  );
}

/**
 * Builds the project's Dockerfile on the local base image, exactly as a user would (only the base
 * image differs), tagged by content so that an unchanged tree costs nothing on the next run.
 * Older tags of this repository are removed (each is ~200 MB). Returns the tag.
 */
export async function buildAlacrityImage(baseImage: string): Promise<string> {
  const { stdout: baseId } = await dockerCli(["image", "inspect", "--format", "{{.Id}}", baseImage]);
  const tag = `${IMAGE_REPOSITORY}:${contentHash(baseId.trim())}`;
  if (!(await imageExists(tag))) {
    await dockerCli(
      ["build", "--build-arg", `NODE_IMAGE=${baseImage}`, "--label", "alacrity.test=e2e", "--tag", tag, "."],
      // The legacy builder is what Debian's engine offers; it needs no buildx plugin.
      { cwd: REPO_ROOT, env: { DOCKER_BUILDKIT: "0" }, timeoutMs: 420_000 },
    );
  }
  const { stdout } = await dockerCli([
    "image",
    "ls",
    "--format",
    "{{.Repository}}:{{.Tag}}",
    IMAGE_REPOSITORY,
  ]);
  const stale = stdout.split("\n").filter((t) => t && t !== tag && !t.endsWith(":<none>"));
  for (const old of stale) await dockerCli(["image", "rm", old]).catch(() => undefined);
  return tag;
}
