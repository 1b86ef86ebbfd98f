import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";

export const IMAGE = process.env.ALACRITY_TEST_IMAGE ?? "alacrity-test/busybox:1";
/** The helper image of backup, restore and move jobs (scripts/setup-swarm.sh builds it). */
export const HELPER_IMAGE = process.env.ALACRITY_TEST_HELPER_IMAGE ?? "alacrity-test/helper:1";

/**
 * What the test apps run by default: a sleep that ends on SIGTERM, as a real server does. A bare
 * `sleep` as PID 1 ignores SIGTERM, so Swarm would wait out the whole stop grace period (60 s for
 * a persistent app) on every update, drain and removal.
 */
export const SLEEP_COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"];

/** A manifest document as YAML text; `spec` is merged over a runnable default. */
export function appYaml(
  name: string,
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): string {
  return stringify({
    apiVersion: "alacrity.dev/v1",
    kind: "App",
    metadata: { name, ...metadata },
    spec: { image: IMAGE, command: SLEEP_COMMAND, ...spec },
  });
}

/** A temporary apps directory the test writes manifests into. */
export class AppsDir {
  readonly path: string;

  constructor(prefix: string) {
    this.path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  }

  write(relative: string, text: string): this {
    const file = join(this.path, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return this;
  }

  remove(relative: string): this {
    rmSync(join(this.path, relative), { force: true });
    return this;
  }

  clear(): this {
    rmSync(this.path, { recursive: true, force: true });
    mkdirSync(this.path, { recursive: true });
    return this;
  }

  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
