import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * vitest global setup of the integration project: bundles src/ into dist/cli once, so the tests
 * run the `alacrity` binary exactly as users do (and do not pay for on-the-fly compilation per spawn).
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, ["scripts/bundle-cli.mjs"], { cwd: root, stdio: "inherit" });
}
