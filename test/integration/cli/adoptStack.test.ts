import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { IMAGE } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { cleanupSuite, newDocker, removeNamed, removeVolumes } from "../../support/swarmCleanup.js";

/*
 * Issue 18, on the real Swarm: a stack deployed by `docker stack deploy` (a database-like service
 * that writes its first-run mark into its named volume, and a stateless web service with two
 * replicas, a published port and a network of its own) is imported with `--stack`, then taken
 * over in place by `apply --adopt-stack`. The plan announces the restarts, the tasks that
 * actually restart are counted by their IDs, the data is the one the stack wrote, and the next
 * plan is empty. Then the documented way back to `docker stack deploy` is followed.
 */

const STACK = "t-adopt";
const INSTANCE = "t-adopt";
const docker = newDocker();
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "alacrity-adopt-"));
const apps = join(work, "apps");
const compose = join(work, "compose.yaml");
const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE]);
const DB = `${STACK}_t-adopt-db`;
const WEB = `${STACK}_t-adopt-web`;

/** The database writes its first-run mark once, then only reads it: the file is its data. */
const COMPOSE = `services:
  t-adopt-db:
    image: ${IMAGE}
    command: ["sh", "-c", "test -f /data/born || echo $$(date +%s)-$$RANDOM > /data/born; echo born $$(cat /data/born); trap 'exit 0' TERM; sleep 3600 & wait"]
    environment:
      DB_NAME: shop
    volumes: [dbdata:/data]
    healthcheck:
      test: ["CMD", "cat", "/data/born"]
      interval: 2s
      retries: 3
  t-adopt-web:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    environment:
      DB_HOST: t-adopt-db
    ports: ["18791:80"]
    networks: [default, front]
    deploy:
      replicas: 2
      labels:
        team: shop
volumes:
  dbdata: {}
networks:
  front: {}
`;

async function cleanup(): Promise<void> {
  await run("docker", ["stack", "rm", STACK]).catch(() => undefined);
  await cleanupSuite(docker, INSTANCE, STACK);
  await eventually(
    async () =>
      (await docker.listContainers({ all: true, filters: { volume: [`${STACK}_dbdata`] } })).length === 0,
    { what: "the containers on the stack's volume to be gone", timeoutMs: 60_000 },
  );
  await removeVolumes(docker, `${STACK}_`);
  await removeNamed(docker, `${STACK}_`);
}

const stackDeploy = () =>
  run("docker", ["stack", "deploy", "--resolve-image", "never", "-c", compose, STACK]);

/** The IDs of the service's running tasks, sorted: a task Swarm replaces gets a new ID. */
async function runningTasks(service: string): Promise<string[]> {
  const id = (await docker.getService(service).inspect()).ID as string;
  const tasks = (await docker.listTasks({ filters: { service: [service] } })) as {
    ID: string;
    ServiceID: string;
    DesiredState: string;
    Status?: { State?: string };
  }[];
  return tasks
    .filter((t) => t.ServiceID === id && t.DesiredState === "running" && t.Status?.State === "running")
    .map((t) => t.ID)
    .sort();
}

/** Until Swarm reports the service's last update completed (or it never had one). */
async function updateDone(service: string): Promise<void> {
  await eventually(
    async () => {
      const state = ((await docker.getService(service).inspect()) as { UpdateStatus?: { State?: string } })
        .UpdateStatus?.State;
      return state === undefined || state === "completed" || undefined;
    },
    { what: `Swarm to complete the update of ${service}`, timeoutMs: 90_000 },
  );
}

/** What the database's first task printed: its volume's birth mark. */
async function bornMark(): Promise<string> {
  return eventually(
    async () => {
      const { stdout } = await run("docker", ["service", "logs", "--raw", DB]);
      return /born (\S+)/.exec(stdout)?.[1];
    },
    { what: `${DB} to print its data's birth mark`, timeoutMs: 90_000 },
  );
}

/** The born file as it is in the volume now, read by a container on the volume's node. */
async function bornFile(): Promise<string> {
  const { stdout } = await run("docker", [
    "run",
    "--rm",
    "-v",
    `${STACK}_dbdata:/data:ro`,
    IMAGE,
    "cat",
    "/data/born",
  ]);
  return stdout.trim();
}

interface PlanJson {
  actions: { kind: string; app: string; serviceName?: string; restarts?: boolean; reason: string }[];
  rejections: { app: string; rule: string; message: string }[];
}

beforeAll(cleanup, 180_000);
afterAll(async () => {
  await cleanup();
  rmSync(work, { recursive: true, force: true });
}, 180_000);

describe("adopting a deployed stack in place", () => {
  it("takes the stack's services over with the restarts the plan announced (none), on the data the stack wrote, and back", async () => {
    writeFileSync(compose, COMPOSE);
    await stackDeploy();
    const born = await bornMark();
    // With its health check, the database's task is `starting` until its first good probe.
    await eventually(
      async () =>
        ((await runningTasks(WEB)).length === 2 && (await runningTasks(DB)).length === 1) || undefined,
      { what: "both web tasks and the database to run", timeoutMs: 90_000 },
    );
    const hostname = ((await docker.info()) as { Name: string }).Name;

    const imported = await runCli(["import", compose, "--stack", STACK, "--out", apps]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const dbManifest = readFileSync(join(apps, "t-adopt-db.yaml"), "utf8");
    expect(dbManifest).toContain(`node: ${hostname}`);
    expect(dbManifest).toContain(`serviceName: ${DB}`);
    expect(dbManifest).toContain(`external: ${STACK}_dbdata`);
    expect((await runCli(["validate", apps])).code).toBe(0);

    // Without the flag, the stack's services are conflicts, and the message says what to pass.
    const refused = await cli("plan", "--dir", apps);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(
      `a service named ${DB} already exists: it belongs to stack ${STACK}, deployed by docker stack deploy, ` +
        `and is left alone. To take it over in place, apply with --adopt-stack ${STACK}`,
    );

    const before = { db: await runningTasks(DB), web: await runningTasks(WEB) };
    const planned = await cli("plan", "--dir", apps, "--adopt-stack", STACK, "--output", "json");
    expect(planned.code, planned.stdout + planned.stderr).toBe(2);
    const p = JSON.parse(planned.stdout) as PlanJson;
    expect(p.rejections).toEqual([]);
    const updates = p.actions.filter((a) => a.kind === "update");
    expect(updates.map((a) => [a.app, a.serviceName, a.reason])).toEqual([
      ["t-adopt-db", DB, "taken over from its stack"],
      ["t-adopt-web", WEB, "taken over from its stack"],
    ]);
    const announced = updates.filter((a) => a.restarts !== false).map((a) => a.app);
    const text = await cli("plan", "--dir", apps, "--adopt-stack", STACK);
    console.log(text.stdout);
    expect(text.stdout).toContain(`~ update t-adopt-db as service ${DB} (taken over from its stack)`);
    expect(text.stdout).toMatch(/restarts: no/);

    const applied = await cli("apply", "--dir", apps, "--adopt-stack", STACK, "--wait", "--timeout", "120");
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // Swarm runs an update in the background: its tasks are compared once it says it is done.
    for (const service of [DB, WEB]) await updateDone(service);
    const after = { db: await runningTasks(DB), web: await runningTasks(WEB) };
    const restarted = (["db", "web"] as const).filter((s) => before[s].join() !== after[s].join());
    console.log(
      `adoption: ${announced.length} restart(s) announced (${announced.join(", ") || "none"}), ` +
        `${restarted.length} service(s) whose tasks were replaced (${restarted.join(", ") || "none"})`,
    );
    expect(restarted).toEqual(announced);
    expect(announced).toEqual([]);

    // The services are AlaCrity's now, under their stack names, pinned where the data is.
    const db = await docker.getService(DB).inspect();
    expect(db.Spec.Labels).toMatchObject({ "alacrity.managed": "true", "alacrity.app": "t-adopt-db" });
    expect(db.Spec.Labels).not.toHaveProperty("com.docker.stack.namespace");
    expect(db.Spec.TaskTemplate.Placement.Constraints).toEqual([expect.stringMatching(/^node\.id==/)]);
    expect(await bornMark()).toBe(born);
    expect(await bornFile()).toBe(born);
    const again = await cli("plan", "--dir", apps);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // Positive control of the restart count: a change of what the tasks run is announced, and seen.
    const webManifest = join(apps, "t-adopt-web.yaml");
    writeFileSync(
      webManifest,
      readFileSync(webManifest, "utf8").replace("DB_HOST: t-adopt-db", "DB_HOST: elsewhere"),
    );
    const changed = JSON.parse((await cli("plan", "--dir", apps, "--output", "json")).stdout) as PlanJson;
    expect(changed.actions.map((a) => [a.app, a.kind, a.restarts])).toEqual([
      ["t-adopt-web", "update", true],
    ]);
    const webBefore = await runningTasks(WEB);
    expect((await cli("apply", "--dir", apps, "--wait", "--timeout", "120")).code).toBe(0);
    await updateDone(WEB);
    const webAfter = await runningTasks(WEB);
    expect(webAfter.filter((id) => webBefore.includes(id))).toEqual([]);

    // `docker stack rm` no longer sees them: the stack's name is off the services.
    const { stdout: stackServices } = await run("docker", ["stack", "services", STACK, "-q"]);
    expect(stackServices.trim()).toBe("");

    // The way back (README): hand each service back to the stack, remove the manifests, deploy.
    for (const service of [DB, WEB]) {
      await run("docker", [
        "service",
        "update",
        "--detach",
        "--label-rm",
        "alacrity.managed",
        "--label-add",
        `com.docker.stack.namespace=${STACK}`,
        service,
      ]);
    }
    const released = await cli("plan", "--dir", apps);
    expect(released.stdout + released.stderr).toContain(`belongs to stack ${STACK}`);
    rmSync(apps, { recursive: true, force: true });
    await stackDeploy();
    const { stdout: back } = await run("docker", ["stack", "services", STACK, "--format", "{{.Name}}"]);
    expect(back.trim().split("\n").sort()).toEqual([DB, WEB]);
    await eventually(async () => (await runningTasks(DB)).length === 1 || undefined, {
      what: "the database to run under the stack again",
      timeoutMs: 90_000,
    });
    expect(await bornFile()).toBe(born);
  }, 600_000);
});
