import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintOf, packageVersion } from "../../../src/manifest/loader/fingerprint.js";
import { CLI, runCli } from "../../support/cli.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";

const INSTANCE = "t-bundle";
const P = "t-bundle-";
const docker = newDocker();
const manifestSources = fileURLToPath(new URL("../../../src/manifest", import.meta.url));
let dir: AppsDir;
let cacheDir: string;

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir = new AppsDir("alacrity-bundle");
  cacheDir = mkdtempSync(join(tmpdir(), "alacrity-bundle-cache-"));
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("the bundled binary (dist/cli/main.js)", () => {
  it("keeps its parse cache under the fingerprint of the sources it was built from", async () => {
    dir.write("a.yaml", appYaml(`${P}a`, { replicas: 0 }));
    const planned = await runCli(["plan", "--dir", dir.path, "--instance", INSTANCE], {
      env: { ALACRITY_CACHE_DIR: cacheDir },
    });
    expect(planned.code, planned.stderr).toBe(2);
    const files = readdirSync(cacheDir).filter((name) => name.endsWith(".json"));
    expect(files).toHaveLength(1);
    // The file is its MAC on the first line, then the JSON.
    const [mac, json] = readFileSync(join(cacheDir, files[0]!), "utf8").split("\n", 2);
    expect(mac).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.parse(json!) as { fingerprint: string };
    const versions = ["yaml", "zod"].map((name) => `${name}@${packageVersion(name, manifestSources)}`);
    // The same value the sources give under tsx: a change to the manifest layer or to the YAML
    // or schema library makes the binary's older cache entries unusable.
    expect(stored.fingerprint).toBe(fingerprintOf(manifestSources, ".ts", versions));
  });

  it("writes human-readable logs in this thread when stderr is a terminal", async () => {
    dir.write("a.yaml", appYaml(`${P}pretty`, { replicas: 0 }));
    // `script` gives the command a terminal; the log then goes through pino-pretty, not JSON.
    const command = `${process.execPath} ${CLI} apply --dir ${dir.path} --instance ${INSTANCE}`;
    const { stdout } = await promisify(execFile)("script", ["-qec", command, "/dev/null"], {
      env: { ...process.env, ALACRITY_LOG_LEVEL: "debug", ALACRITY_CACHE_DIR: "off" },
      timeout: 60_000,
    });
    // eslint-disable-next-line no-control-regex -- the colour codes are what is stripped
    const text = stdout.replace(/\u001b\[[0-9;]*m/g, "").replace(/\r/g, "");
    expect(text).toContain(`create ${P}pretty`);
    expect(text).toContain("DEBUG:");
    expect(text).toContain(`app: "${P}pretty"`);
    expect(text).not.toContain('"level":20');
  });
});
