import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli, type CliResult } from "../../support/cli.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { standInSsh } from "../../support/standInSsh.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";

// The binary must not load code it never runs or must never run: dockerode's BuildKit session
// (gRPC, protobuf), and docker-modem's ssh2, even for ssh:// hosts, which the user's own `ssh`
// reaches (scripts/dockerodeTrim.mjs). What a process
// loaded is recorded by a preloaded hook: the binary's chunks it imported, each with the
// `// node_modules/PKG/...` markers esbuild writes above every bundled module, and every file
// it required from node_modules at run time.

const INSTANCE = "t-loads";
const P = "t-loads-";
const RECORDER = fileURLToPath(new URL("../../support/loads/record.mjs", import.meta.url));
const docker = newDocker();
let dir: AppsDir;
let logs: string;

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir = new AppsDir("alacrity-loads");
  logs = mkdtempSync(join(tmpdir(), "alacrity-loads-"));
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
  rmSync(logs, { recursive: true, force: true });
});

interface Loaded {
  result: CliResult;
  /** The binary's own files that were imported. */
  chunks: string[];
  /** Packages whose code was loaded: bundled in an imported chunk, or required from node_modules. */
  packages: Set<string>;
}

let runs = 0;
async function runRecorded(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Loaded> {
  const log = join(logs, `run-${runs++}.log`);
  const result = await runCli([...args, "--instance", INSTANCE], {
    env: { NODE_OPTIONS: `--import ${RECORDER}`, ALACRITY_TEST_LOAD_LOG: log, ...env },
  });
  const lines = readFileSync(log, "utf8").split("\n");
  const distDir = dirname(CLI);
  const chunks = lines
    .filter((line) => line.startsWith("import file://"))
    .map((line) => fileURLToPath(line.slice("import ".length)))
    .filter((file) => file.startsWith(distDir));
  const packages = new Set<string>();
  const pkgOf = (path: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
  for (const chunk of chunks) {
    for (const marker of readFileSync(chunk, "utf8").matchAll(/^\/\/ (node_modules\/\S+)/gm)) {
      const pkg = pkgOf(marker[1]!);
      if (pkg) packages.add(pkg);
    }
  }
  for (const line of lines.filter((l) => l.startsWith("require /"))) {
    const pkg = pkgOf(line);
    if (pkg) packages.add(pkg);
  }
  return { result, chunks, packages };
}

const BUILDKIT = ["@grpc/grpc-js", "@grpc/proto-loader", "protobufjs", "uuid"];

describe("the code a command of the bundled binary loads", () => {
  it("a no-op apply loads dockerode and docker-modem but none of gRPC, protobuf or ssh2", async () => {
    dir.write("a.yaml", appYaml(`${P}a`, { replicas: 0 }));
    const first = await runRecorded(["apply", "--dir", dir.path]);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.result.stdout).toContain(`create ${P}a`);

    const noop = await runRecorded(["apply", "--dir", dir.path]);
    expect(noop.result.code, noop.result.stderr).toBe(0);
    expect(noop.result.stdout).not.toContain(`create ${P}a`);
    expect(noop.chunks).toContain(CLI);
    expect(noop.packages).toContain("dockerode");
    expect(noop.packages).toContain("docker-modem");
    for (const pkg of [...BUILDKIT, "ssh2"]) expect(noop.packages).not.toContain(pkg);
  });

  it("an ssh:// host is reached through the user's `ssh`, without loading ssh2 or any deprecated URL parsing", async () => {
    dir.write("a.yaml", appYaml(`${P}a`, { replicas: 0 }));
    const applied = await runCli(["apply", "--dir", dir.path, "--instance", INSTANCE]);
    expect(applied.code, applied.stderr).toBe(0);
    const ssh = standInSsh();
    try {
      const run = await runRecorded(["status"], {
        DOCKER_HOST: "ssh://deploy@swarm-manager",
        PATH: ssh.path,
      });
      expect(run.result.code, run.result.stderr).toBe(0);
      // The Swarm was read through the stand-in ssh, and the process exited with its connections idle.
      expect(run.result.stdout).toContain(`${P}a`);
      expect(ssh.calls().length).toBeGreaterThan(0);
      expect(ssh.calls()[0]).toContain("swarm-manager");
      expect(run.packages).toContain("docker-modem");
      for (const pkg of [...BUILDKIT, "ssh2"]) expect(run.packages).not.toContain(pkg);
      // docker-modem's ssh:// handling printed DEP0170 (an invalid URL for url.parse).
      expect(run.result.stderr).not.toContain("DeprecationWarning");
    } finally {
      ssh.dispose();
    }
  });

  it("DEBUG=modem prints none of Docker's answers, which hold the apps' environment values", async () => {
    const secret = "t-loads-secret-value-1f3a";
    dir.write("a.yaml", appYaml(`${P}a`, { replicas: 0, env: { PASSWORD: secret } }));
    const applied = await runCli(["apply", "--dir", dir.path, "--instance", INSTANCE]);
    expect(applied.code, applied.stderr).toBe(0);
    const status = await runCli(["status", "--output", "json", "--instance", INSTANCE], {
      env: { DEBUG: "*", DEBUG_DEPTH: "10" },
    });
    expect(status.code, status.stderr).toBe(0);
    // The services list, env included, was read: the app is there.
    expect(status.stdout).toContain(`${P}a`);
    expect(status.stdout + status.stderr).not.toContain(secret);
  });
});
