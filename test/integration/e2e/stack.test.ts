import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appYaml, AppsDir } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { dockerCli } from "./docker.js";
import { buildAlacrityImage, buildNodeBaseImage } from "./image.js";
import { deployStack, removeStack, serviceContainerId } from "./stack.js";
import { eventually } from "../../support/poll.js";

// End to end: the project's Dockerfile built into an image, deployed with the project's stack
// file on the test Swarm, managing an app from its mounted apps directory.
const STACK = "t-e2e";
const INSTANCE = "t-e2e";
const PREFIX = "t-e2e-";
const CONTROLLER = `${STACK}_alacrity`;
const APP = `${PREFIX}app`;
const HEALTHZ_PROBE =
  "fetch('http://127.0.0.1:9464/healthz').then(async r=>{console.log(r.status, (await r.text()).trim());process.exit(r.ok?0:1)},()=>process.exit(1))";

const docker = newDocker();
let image = "";
let apps: AppsDir | undefined;
let workDir = "";

async function sweep(): Promise<void> {
  // The controller first: while it runs it would re-create the app removed below.
  await removeStack(docker, STACK);
  await cleanupSuite(docker, INSTANCE, PREFIX);
}

beforeAll(async () => {
  await sweep();
  image = await buildAlacrityImage(await buildNodeBaseImage());
  workDir = mkdtempSync(join(tmpdir(), "alacrity-e2e-"));
}, 900_000);

afterAll(async () => {
  await sweep();
  apps?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 120_000);

describe("the container image", () => {
  it("runs `alacrity run` as a non-root user, with a /healthz health check and OCI labels", async () => {
    const [config] = JSON.parse((await dockerCli(["image", "inspect", image])).stdout) as {
      Config: {
        User: string;
        Entrypoint: string[];
        Cmd: string[];
        Env: string[];
        Healthcheck?: { Test: string[] };
        Labels: Record<string, string>;
      };
    }[];
    expect(config?.Config.User).toBe("node");
    expect([...(config?.Config.Entrypoint ?? []), ...(config?.Config.Cmd ?? [])]).toEqual([
      "alacrity",
      "run",
    ]);
    expect(config?.Config.Env).toEqual(
      expect.arrayContaining(["ALACRITY_DIR=/apps", "ALACRITY_LISTEN=0.0.0.0:9464", "NODE_ENV=production"]),
    );
    expect(config?.Config.Healthcheck?.Test.join(" ")).toContain("http://127.0.0.1:9464/healthz");
    expect(config?.Config.Labels).toMatchObject({
      "org.opencontainers.image.title": "AlaCrity",
      "org.opencontainers.image.licenses": "Apache-2.0",
    });
  });

  it("ships the bundled CLI and no node_modules: every package it uses is inside the bundle", async () => {
    const { stdout } = await dockerCli([
      "run",
      "--rm",
      "--label",
      "alacrity.test=e2e",
      "--entrypoint",
      "sh",
      image,
      "-c",
      "alacrity --version && printf 'apiVersion: alacrity.dev/v1\\nkind: App\\nmetadata:\\n  name: x\\nspec:\\n  image: busybox\\n' >/tmp/x.yaml && alacrity validate /tmp/x.yaml 2>&1 && ls /opt/alacrity /opt/alacrity/schema",
    ]);
    const [version, validated, ...listed] = stdout.trim().split("\n");
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    // Validating loads the YAML and schema libraries' chunk, which a missing package would break.
    expect(validated).toBe("1 file valid (1 app)");
    expect(listed).toEqual(expect.arrayContaining(["dist", "package.json", "schema", "app.schema.json"]));
    expect(listed).not.toContain("node_modules");
  });
});

describe("the Swarm stack", () => {
  it("deploys one healthy controller that creates an app from its apps directory, and is removed cleanly", async () => {
    apps = new AppsDir("alacrity-e2e-apps");
    await deployStack(STACK, { image, appsDir: apps.path, instance: INSTANCE }, workDir);

    // The service is what the stack file says.
    const controller = await docker.getService(CONTROLLER).inspect();
    const spec = controller.Spec;
    expect(spec.Mode?.Replicated?.Replicas).toBe(1);
    expect(spec.TaskTemplate?.Placement?.Constraints).toEqual(["node.role == manager"]);
    expect(spec.UpdateConfig?.Order).toBe("stop-first");
    expect(spec.TaskTemplate?.Resources?.Limits).toMatchObject({
      NanoCPUs: 500_000_000,
      MemoryBytes: 256 * 1024 ** 2,
    });
    expect(spec.TaskTemplate?.ContainerSpec?.Env).toContain(`ALACRITY_INSTANCE=${INSTANCE}`);
    const health = (spec.TaskTemplate?.ContainerSpec as { Healthcheck?: { Test?: string[] } } | undefined)
      ?.Healthcheck;
    expect(health?.Test?.join(" ")).toContain("http://127.0.0.1:9464/healthz");
    expect(spec.TaskTemplate?.ContainerSpec?.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Source: "/var/run/docker.sock", Target: "/var/run/docker.sock" }),
        expect.objectContaining({ Source: apps.path, Target: "/apps", ReadOnly: true }),
      ]),
    );

    // Docker's own health check, run in the container, reports it healthy.
    const containerId = await eventually(
      async () => {
        const id = await serviceContainerId(docker, CONTROLLER);
        if (!id) return undefined;
        const state = (await docker.getContainer(id).inspect()).State;
        return state.Health?.Status === "healthy" ? id : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `${CONTROLLER} to be healthy` },
    );

    // A manifest put in the directory after start-up: the running daemon sees it and creates the app.
    apps.write("app.yaml", appYaml(APP, { replicas: 1 }));
    const app = await eventually(
      async () => (await docker.listServices({ filters: { name: [APP] } })).find((s) => s.Spec?.Name === APP),
      { timeoutMs: 60_000, intervalMs: 500, what: `service ${APP} to be created by the controller` },
    );
    expect(app.Spec?.Labels).toMatchObject({
      "alacrity.managed": "true",
      "alacrity.app": APP,
      "alacrity.instance": INSTANCE,
    });
    expect(app.Spec?.Mode?.Replicated?.Replicas).toBe(1);
    await eventually(
      async () => {
        const tasks = await docker.listTasks({ filters: { service: [APP], "desired-state": ["running"] } });
        return tasks.some((t) => t.Status?.State === "running") ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `a running task of ${APP}` },
    );

    const probe = await dockerCli(["exec", containerId, "node", "-e", HEALTHZ_PROBE]);
    expect(probe.stdout.trim()).toBe("200 ok");

    // Removing the stack stops the controller; the app it created is left alone (it is only
    // removed when its manifest is), so the suite removes it itself in afterAll.
    await removeStack(docker, STACK);
    await expect(docker.getService(CONTROLLER).inspect()).rejects.toThrow();
    expect((await docker.listServices({ filters: { name: [APP] } })).map((s) => s.Spec?.Name)).toContain(APP);
  });
});
