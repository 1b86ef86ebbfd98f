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
 * Issue 18 from a stack deployed by `docker stack deploy`: `import --stack` pins the database to
 * the node its task runs on and mounts the stack's own volume; applied while the stack still
 * runs, the database is refused (two containers on one data directory), the stateless app is
 * not; once the stack's database service is removed (its volume stays), apply starts the
 * database on its old data.
 */

const STACK = "t-impstk";
const INSTANCE = "t-impstk";
const docker = newDocker();
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "alacrity-import-stack-"));
const apps = join(work, "apps");
const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE]);

/** The database writes its first-run marker once, then only reads it: the file is its data. */
const COMPOSE = `services:
  t-impstk-db:
    image: ${IMAGE}
    command: ["sh", "-c", "test -f /data/born || date +%s%N > /data/born; echo born $$(cat /data/born); trap 'exit 0' TERM; sleep 3600 & wait"]
    volumes: [dbdata:/data]
  t-impstk-web:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
volumes:
  dbdata: {}
`;

async function cleanup(): Promise<void> {
  await run("docker", ["stack", "rm", STACK]).catch(() => undefined);
  await eventually(
    async () =>
      (await docker.listServices({ filters: { label: [`com.docker.stack.namespace=${STACK}`] } })).length ===
      0,
    {
      what: "the stack's services to be gone",
      timeoutMs: 60_000,
    },
  );
  await cleanupSuite(docker, INSTANCE, `${STACK}-`);
  await eventually(
    async () =>
      (await docker.listContainers({ all: true, filters: { volume: [`${STACK}_dbdata`] } })).length === 0,
    {
      what: "the containers on the stack's volume to be gone",
      timeoutMs: 60_000,
    },
  );
  await removeVolumes(docker, `${STACK}_`);
  await removeNamed(docker, `${STACK}_`);
}

/** What the database's task printed first: its volume's birth mark. */
async function bornMark(service: string): Promise<string> {
  return eventually(
    async () => {
      const { stdout } = await run("docker", ["service", "logs", "--raw", service]);
      return /born (\d+)/.exec(stdout)?.[1];
    },
    { what: `${service} to print its data's birth mark`, timeoutMs: 90_000 },
  );
}

beforeAll(cleanup, 180_000);
afterAll(async () => {
  await cleanup();
  rmSync(work, { recursive: true, force: true });
}, 180_000);

describe("import --stack of a deployed stack", () => {
  it("pins the database where its data is, refuses it beside the running stack, and starts it on the same data once the stack is gone", async () => {
    writeFileSync(join(work, "compose.yaml"), COMPOSE);
    await run("docker", [
      "stack",
      "deploy",
      "--resolve-image",
      "never",
      "-c",
      join(work, "compose.yaml"),
      STACK,
    ]);
    const born = await bornMark(`${STACK}_t-impstk-db`);
    const hostname = ((await docker.info()) as { Name: string }).Name;

    const imported = await runCli(["import", join(work, "compose.yaml"), "--stack", STACK, "--out", apps]);
    expect(imported.stderr).toContain(
      `pinned to "${hostname}": its task runs there now, and so does its data`,
    );
    const db = readFileSync(join(apps, "t-impstk-db.yaml"), "utf8");
    expect(db).toContain(`node: ${hostname}`);
    expect(db).toContain(`external: ${STACK}_dbdata`);
    expect((await runCli(["validate", apps])).code).toBe(0);

    // Beside the running stack: the database is refused, the stateless app would be created.
    const beside = await cli("plan", "--dir", apps);
    expect(beside.code).toBe(1);
    expect(beside.stdout + beside.stderr).toContain(
      `volume ${STACK}_dbdata is mounted by service ${STACK}_t-impstk-db of stack ${STACK}, which AlaCrity does not manage`,
    );
    expect(beside.stdout).toMatch(/\+ create t-impstk-web/);

    // The stack's database removed (its volume stays; the stack's network, which the import
    // joins, stays too): the database starts on the data it had.
    await run("docker", ["service", "rm", `${STACK}_t-impstk-db`]);
    await eventually(
      async () =>
        (await docker.listContainers({ all: true, filters: { volume: [`${STACK}_dbdata`] } })).length === 0,
      { what: "the stack's database container to be gone", timeoutMs: 60_000 },
    );
    const applied = await cli("apply", "--dir", apps, "--wait", "--timeout", "120");
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(await bornMark("t-impstk-db")).toBe(born);
  }, 420_000);
});
