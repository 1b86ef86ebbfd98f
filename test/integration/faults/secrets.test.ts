import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliResult } from "../../support/cli.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { killDaemons, waitForStatus } from "../daemon/daemonProcess.js";
import { faultSuite, SUITE_LABELS, envOf } from "./suite.js";
import { eventually } from "../../support/poll.js";
import { startDockerProxy } from "../../support/dockerProxy.js";

// A secret planted in a manifest's env reaches the service, and nothing else: not validate, plan,
// apply (text and JSON, debug logging), status, nor the daemon's logs, /status and /metrics, nor
// the errors about a mistyped env value (a numeric secret).

const { INSTANCE, PREFIX, cli, managedServices, spawnFaultDaemon } = faultSuite("sec");
const P = PREFIX;
const SECRET = `S3CR3T-${randomBytes(8).toString("hex")}`;
const SECRET_2 = `S3CR3T-${randomBytes(8).toString("hex")}`;
/** The content of a Secret document's file, mounted into db. */
const SECRET_FILE = `S3CR3T-${randomBytes(8).toString("hex")}`;
const NUMERIC = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
const DEBUG = { ALACRITY_LOG_LEVEL: "debug" };
const docker = newDocker();
let dir: AppsDir;

/** Every output collected in this file, checked at the end and after each step. */
const outputs: { step: string; text: string }[] = [];
function collect(step: string, result: CliResult): CliResult {
  outputs.push({ step, text: `${result.stdout}\n${result.stderr}` });
  return result;
}
function expectNoSecret(): void {
  for (const { step, text } of outputs) {
    for (const secret of [SECRET, SECRET_2, SECRET_FILE, NUMERIC]) {
      expect(text.includes(secret), `${step} printed a secret:\n${text.slice(0, 3000)}`).toBe(false);
    }
  }
}

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-flt-sec");
  dir.write(
    "apps/web.yaml",
    appYaml(`${P}web`, { replicas: 0, env: { DB_PASSWORD: SECRET, MODE: "a" } }, SUITE_LABELS),
  );
  dir.write(
    "apps/db.yaml",
    appYaml(
      `${P}db`,
      {
        persistent: true,
        replicas: 0,
        env: { ROOT_PASSWORD: SECRET },
        volumes: [{ name: `${P}data`, containerPath: "/data" }],
        secrets: [`${P}pw`],
      },
      SUITE_LABELS,
    ),
  );
  dir.write("apps/pw.txt", SECRET_FILE);
  dir.write(
    "apps/pw.yaml",
    "apiVersion: alacrity.dev/v1\nkind: Secret\nmetadata:\n  name: " + `${P}pw` + "\nspec:\n  file: pw.txt\n",
  );
});

afterAll(async () => {
  await killDaemons();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

const apps = (): string => join(dir.path, "apps");

describe("env values never leave the manifest except into the service", () => {
  it("validate, plan (text, json), apply (text, json, debug logs) and status (text, json)", async () => {
    expect(collect("validate", await cli("validate", apps(), [], DEBUG)).code).toBe(0);
    const planned = collect("plan", await cli("plan", apps(), [], DEBUG));
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`${P}web`);
    expect(collect("plan json", await cli("plan", apps(), ["--output", "json"], DEBUG)).code).toBe(2);
    const applied = collect("apply", await cli("apply", apps(), [], DEBUG));
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // Debug logging really was on (the check would be empty otherwise).
    expect(applied.stderr.length).toBeGreaterThan(0);
    const services = await managedServices(docker);
    expect(envOf(services.get(`${P}web`))).toContain(`DB_PASSWORD=${SECRET}`);
    expect(envOf(services.get(`${P}db`))).toContain(`ROOT_PASSWORD=${SECRET}`);
    // The Secret document's file became a Swarm secret that db mounts (its value is Swarm's alone).
    const mounted = JSON.stringify(services.get(`${P}db`));
    expect(mounted).toMatch(new RegExp(`alacran--${P}pw--[0-9a-f]{12}`));
    expect(mounted).not.toContain(SECRET_FILE);

    // An update of the secret: the plan says it changed, never from what to what.
    dir.write(
      "apps/web.yaml",
      appYaml(`${P}web`, { replicas: 0, env: { DB_PASSWORD: SECRET_2, MODE: "a" } }, SUITE_LABELS),
    );
    const changed = collect("plan update", await cli("plan", apps(), [], DEBUG));
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain("env.DB_PASSWORD");
    collect("plan update json", await cli("plan", apps(), ["--output", "json"], DEBUG));
    const updated = collect("apply update json", await cli("apply", apps(), ["--output", "json"], DEBUG));
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toHaveProperty("outcomes");
    expect(envOf((await managedServices(docker)).get(`${P}web`))).toContain(`DB_PASSWORD=${SECRET_2}`);

    // A drift on the env by hand (the secret changed in the service) is reported without values.
    const svc = docker.getService(`${P}web`);
    const spec = (await svc.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
    const task = spec.Spec.TaskTemplate as { ContainerSpec: { Env: string[] } };
    task.ContainerSpec.Env = task.ContainerSpec.Env.map((e) =>
      e.startsWith("DB_PASSWORD=") ? `DB_PASSWORD=${SECRET}` : e,
    );
    await svc.update({ ...spec.Spec, version: spec.Version.Index });
    collect("plan drift", await cli("plan", apps(), [], DEBUG));
    collect("plan drift json", await cli("plan", apps(), ["--output", "json"], DEBUG));
    const repaired = collect("apply drift", await cli("apply", apps(), [], DEBUG));
    expect(repaired.code).toBe(0);

    const status = collect("status", await cli("status", apps(), [], DEBUG));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${P}web`);
    collect("status json", await cli("status", apps(), ["--output", "json"], DEBUG));
    expectNoSecret();
  });

  it("a mistyped env value (a number) is reported without its value, in validate, plan and apply", async () => {
    const bad = new AppsDir("alacrity-flt-sec-bad");
    try {
      bad.write(
        "pin.yaml",
        `apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: ${P}pin}\nspec:\n  image: alacrity-test/busybox:1\n  replicas: 0\n  env:\n    PIN: ${NUMERIC}\n`,
      );
      const validated = collect("validate bad", await cli("validate", bad.path, [], DEBUG));
      expect(validated.code).toBe(1);
      expect(validated.stdout + validated.stderr).toContain("spec.env.PIN: must be a string");
      collect("plan bad", await cli("plan", bad.path, [], DEBUG));
      collect("plan bad json", await cli("plan", bad.path, ["--output", "json"], DEBUG));
      collect("apply bad", await cli("apply", bad.path, [], DEBUG));
      expectNoSecret();
    } finally {
      bad.dispose();
    }
  });

  it("alacrity run: its logs (debug), /status and /metrics", async () => {
    dir.write(
      "apps/bad.yaml",
      `apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: ${P}bad}\nspec:\n  image: alacrity-test/busybox:1\n  env: {PIN: ${NUMERIC}}\n`,
    );
    const daemon = await spawnFaultDaemon({ dir: apps(), env: DEBUG, args: ["--resync", "2"] });
    await waitForStatus(daemon, "/readyz", 200, 60_000);
    // A change of the secret while it runs, reconciled by the daemon.
    dir.write(
      "apps/web.yaml",
      appYaml(`${P}web`, { replicas: 0, env: { DB_PASSWORD: SECRET, MODE: "b" } }, SUITE_LABELS),
    );
    await eventually(async () => envOf((await managedServices(docker)).get(`${P}web`)).includes("MODE=b"), {
      timeoutMs: 30_000,
    });
    await daemon.waitForLog((l) => l.app === `${P}web` && l.result === "ok", 15_000);
    const status = await daemon.get("/status");
    const metrics = await daemon.get("/metrics");
    expect(status.body).toContain(`${P}web`);
    expect(metrics.body).toContain("alacrity_actions_total");
    daemon.child.kill("SIGTERM");
    await daemon.exited();
    outputs.push({ step: "run /status", text: status.body });
    outputs.push({ step: "run /metrics", text: metrics.body });
    outputs.push({ step: "run stderr+stdout", text: daemon.stderr() + daemon.stdout() });
    expect(daemon.logs().some((l) => l.level === 20)).toBe(true);
    expect(daemon.stderr()).toContain("spec.env.PIN");
    expectNoSecret();
  });

  it("a service create sends the spec once, in its body: no X-Registry-Auth header", async () => {
    const hdr = new AppsDir("alacrity-flt-sec-hdr");
    const proxy = await startDockerProxy({ socketPath: join(tmpdir(), `alacrity-sec-${process.pid}.sock`) });
    try {
      hdr.write("hdr.yaml", appYaml(`${P}hdr`, { replicas: 0, env: { TOKEN: SECRET } }, SUITE_LABELS));
      const applied = collect(
        "apply hdr",
        await cli("apply", hdr.path, [], { DOCKER_HOST: proxy.dockerHost }),
      );
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      const creates = proxy.requests.filter((r) => r.method === "POST" && r.path === "/services/create");
      expect(creates).toHaveLength(1);
      // The headers were seen, and the secret did reach the service (in the body).
      expect(creates[0]?.head).toContain("Content-Type: application/json");
      expect(envOf((await managedServices(docker)).get(`${P}hdr`))).toContain(`TOKEN=${SECRET}`);
      expect(creates[0]?.head?.toLowerCase()).not.toContain("x-registry-auth");

      // Control: dockerode's one-argument createService(spec) does send the header, and the check
      // above sees it.
      const direct = new Docker({ socketPath: proxy.dockerHost.slice("unix://".length) });
      await direct.createService({
        Name: `${P}hdr-direct`,
        Labels: { ...SUITE_LABELS.labels },
        TaskTemplate: { ContainerSpec: { Image: "alacrity-test/busybox:1", Env: [`TOKEN=${SECRET}`] } },
        Mode: { Replicated: { Replicas: 0 } },
      });
      const directCreate = proxy.requests.filter((r) => r.path === "/services/create").at(-1);
      expect(directCreate?.head?.toLowerCase()).toContain("x-registry-auth");
    } finally {
      await proxy.close();
      hdr.dispose();
      await docker
        .getService(`${P}hdr-direct`)
        .remove()
        .catch(() => undefined);
    }
    expectNoSecret();
  });
});
