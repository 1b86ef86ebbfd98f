import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { editTaskTemplateByHand } from "../../support/editByHand.js";
import { eventually } from "../../support/poll.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";

// What `plan` says of an update's restarts, held against what Swarm then does to the tasks.
const INSTANCE = "t-restarts";
const P = "t-rst-";
const docker = newDocker();
let dir: AppsDir;

const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE]);
const plan = () => cli("plan", "--dir", dir.path);
async function apply(): Promise<void> {
  const applied = await cli("apply", "--dir", dir.path, "--wait", "--timeout", "60");
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
}

/** Stops at once on SIGTERM (a plain `sleep` as PID 1 ignores it), so a stop-first update is quick. */
const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"];

async function service(name: string) {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name)!;
}
/** The fields of an Engine API task these tests read. */
interface Task {
  ID: string;
  ServiceID: string;
  DesiredState: string;
}

/** Every task the service ever had (Swarm keeps the replaced ones in its history). */
async function tasks(name: string): Promise<Task[]> {
  const all = (await docker.listTasks({ filters: { service: [name] } })) as Task[];
  // The service filter also matches by prefix: keep the service's own tasks.
  const id = (await service(name)).ID;
  return all.filter((t) => t.ServiceID === id);
}
async function runningTaskIds(name: string): Promise<string[]> {
  return (await tasks(name))
    .filter((t) => t.DesiredState === "running")
    .map((t) => t.ID)
    .sort();
}
/** Swarm starts a rolling update (UpdateStatus) only when it replaces tasks. */
const rolledOut = async (name: string): Promise<boolean> =>
  Boolean(((await service(name)) as { UpdateStatus?: unknown }).UpdateStatus);

/** The lines of `~ update NAME` and the indented ones under it. */
function updateBlock(stdout: string, name: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`~ update ${name} `));
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("    "));
  return lines.slice(start, end);
}

beforeEach(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
  dir = new AppsDir("alacrity-restarts");
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
});

describe("plan says whether an update restarts the app, and Swarm agrees", () => {
  it("persistent: a label change and a restored pin keep the container; an env change replaces it stop-first", async () => {
    const db = `${P}db`;
    const manifest = (team: string, env: Record<string, string>) =>
      appYaml(db, { persistent: true, command: SLEEPER, env }, { labels: { team } });
    dir.write("db.yaml", manifest("a", { MODE: "one" }));
    const created = await plan();
    expect(created.stdout).toMatch(
      new RegExp(
        `^\\+ create ${db} \\(new app\\)\\n    image: .*\\n    command: .*\\n    replicas: 1\\n    node: \\S+ \\(\\w+\\), chosen: the node with the fewest pinned apps$`,
        "m",
      ),
    );
    await apply();
    const [first] = await runningTaskIds(db);
    expect(first).toBeDefined();

    dir.write("db.yaml", manifest("b", { MODE: "one" }));
    const relabelled = await plan();
    expect(updateBlock(relabelled.stdout, db)).toEqual([
      `~ update ${db} (manifest changed)`,
      "    labels.team: a -> b",
      "    restarts: no",
    ]);
    expect(relabelled.stdout).not.toContain("alacrity.hash");
    await apply();
    expect((await service(db)).Spec?.Labels?.team).toBe("b");

    // The pin constraint removed by hand: restoring it on the node the task runs on restarts nothing.
    const svc = await service(db);
    await editTaskTemplateByHand(docker, svc, (template) => ({
      ...template,
      Placement: { ...template.Placement, Constraints: [] },
    }));
    const restored = await plan();
    expect(updateBlock(restored.stdout, db)).toEqual([
      `~ update ${db} (pin restored)`,
      expect.stringMatching(/^ {4}constraints: \(none\) -> node\.id==\w+$/),
      "    restarts: no",
    ]);
    await apply();
    expect(await runningTaskIds(db)).toEqual([first]);
    expect(await rolledOut(db)).toBe(false);

    // Positive control: a change the plan calls a restart is one, in the order it names.
    dir.write("db.yaml", manifest("b", { MODE: "two" }));
    const changed = await plan();
    expect(updateBlock(changed.stdout, db)).toEqual([
      `~ update ${db} (manifest changed)`,
      "    env.MODE: (set) -> (changed)",
      "    restarts: yes (stop-first)",
    ]);
    await apply();
    const [second] = await eventually(async () => {
      const ids = await runningTaskIds(db);
      return ids.length === 1 && ids[0] !== first && ids;
    });
    expect(second).not.toBe(first);
    expect(await rolledOut(db)).toBe(true);
    // One replacement in all: the label and pin updates made none.
    expect((await tasks(db)).length).toBe(2);
  });

  it("stateless: more replicas keep the running container; a port added replaces it start-first", async () => {
    const web = `${P}web`;
    dir.write("web.yaml", appYaml(web, { replicas: 1, command: SLEEPER }));
    await apply();
    const [first] = await runningTaskIds(web);

    dir.write("web.yaml", appYaml(web, { replicas: 2, command: SLEEPER }));
    const scaled = await plan();
    expect(updateBlock(scaled.stdout, web)).toEqual([
      `~ update ${web} (manifest changed)`,
      "    replicas: 1 -> 2",
      "    restarts: no",
    ]);
    await apply();
    const afterScale = await runningTaskIds(web);
    expect(afterScale).toHaveLength(2);
    expect(afterScale).toContain(first);
    expect(await rolledOut(web)).toBe(false);

    dir.write("web.yaml", appYaml(web, { replicas: 2, command: SLEEPER, ports: [{ target: 8080 }] }));
    const ported = await plan();
    expect(updateBlock(ported.stdout, web)).toEqual([
      `~ update ${web} (manifest changed)`,
      "    ports: (none) -> 8080/tcp",
      "    restarts: yes (start-first)",
    ]);
    await apply();
    await eventually(
      async () => {
        const ids = await runningTaskIds(web);
        return ids.length === 2 && afterScale.every((id) => !ids.includes(id));
      },
      { timeoutMs: 60_000, what: "two new tasks of the web app" },
    );
    expect(await rolledOut(web)).toBe(true);
  });
});
