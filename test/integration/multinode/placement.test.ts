// Proves the placement rules of persistent apps on a real 3-node Swarm (node-1 manager, node-2 and
// node-3 workers), through the built CLI: pins by hostname and by ID, the spread rule, pins that
// survive re-applies from fresh processes and the app's removal, volumes on the pinned node, and
// what happens when a pinned node goes down, is drained or leaves the Swarm. One Swarm for the
// whole file; the phases run in order and the destructive ones (stop, drain, remove) come last.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { startMultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { runCli, type CliResult } from "../../support/cli.js";
import { AppsDir, IMAGE, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { execInContainer } from "../../support/serviceExec.js";
import type { DataInventory } from "../../../src/reconcile/inventory.js";

const INSTANCE = "t-mn";
const P = "t-mn-";
const AUTO_A = `${P}auto-a`;
const AUTO_B = `${P}auto-b`;
const AUTO_C = `${P}auto-c`;
const AUTO_D = `${P}auto-d`;
const BY_HOST = `${P}by-host`;
const BY_ID = `${P}by-id`;
const BIND = `${P}bind`;
const WEB = `${P}web`;
const NET_DB = `${P}net-db`;
const NET_CLIENT = `${P}net-client`;
const MISSING_PATH = "/srv/t-mn-missing/uploads";

/** Writes, once per container of the app's volume, the container's ID: the data of the first one stays. */
const RECORD_FIRST = [
  "sh",
  "-c",
  "test -f /data/first || hostname > /data/first; trap 'exit 0' TERM; sleep 3600 & wait",
];

const log = (message: string): void => console.log(`[multinode placement] ${message}`);

let swarm: MultiNodeSwarm;
/** The apps directory's contents (file -> YAML); each CLI run gets a fresh copy of it. */
const manifests = new Map<string, string>();

interface Task {
  NodeID?: string;
  DesiredState: string;
  Status: { State: string; Err?: string };
}

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 3, workloadImages: [IMAGE], log });
}, 300_000);

afterAll(async () => {
  await swarm?.cleanup();
}, 120_000);

/** Runs the CLI against the multi-node Swarm as a new process, like a restarted controller. */
function cli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  // The instance comes from the environment: `data` reads every instance's pins and takes no --instance.
  return runCli(args, { env: { DOCKER_HOST: swarm.dockerHost, ALACRITY_INSTANCE: INSTANCE }, timeoutMs });
}

/** `plan` or `apply` on a fresh copy of the apps directory, removed afterwards. */
async function onFreshDir(command: "plan" | "apply", ...extra: string[]): Promise<CliResult> {
  const dir = new AppsDir("alacrity-mn");
  try {
    for (const [file, text] of manifests) dir.write(file, text);
    return await cli([command, "--dir", dir.path, ...extra]);
  } finally {
    dir.dispose();
  }
}

const show = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

function persistentApp(
  name: string,
  volume: string,
  extra: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): string {
  const spec = {
    persistent: true,
    command: RECORD_FIRST,
    volumes: [{ name: volume, containerPath: "/data" }],
  };
  return appYaml(name, { ...spec, ...extra }, metadata);
}

async function service(name: string) {
  const list = await swarm.docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

async function constraintsOf(name: string): Promise<string[]> {
  return (await service(name))?.Spec?.TaskTemplate?.Placement?.Constraints ?? [];
}

async function tasksOf(name: string): Promise<Task[]> {
  const filters = JSON.stringify({ service: [name], "desired-state": ["running"] });
  const tasks = (await swarm.docker.listTasks({ filters })) as (Task & { ServiceID: string })[];
  // The service filter also matches by prefix: keep the service's own tasks.
  const id = (await service(name))?.ID;
  return tasks.filter((t) => t.ServiceID === id);
}

const hostnameOf = (nodeId: string | undefined): string =>
  swarm.nodes.find((n) => n.nodeId === nodeId)?.hostname ?? `unknown node ${String(nodeId)}`;

/** Hostnames the app's running tasks are on, sorted. */
async function runningOn(name: string): Promise<string[]> {
  const tasks = await tasksOf(name);
  return tasks
    .filter((t) => t.Status.State === "running")
    .map((t) => hostnameOf(t.NodeID))
    .sort();
}

/** Waits (bounded) until the app's running tasks are exactly on these hostnames. */
async function waitUntilRunningOn(name: string, hostnames: string[], timeoutMs = 60_000): Promise<void> {
  const want = JSON.stringify([...hostnames].sort());
  await eventually(async () => (JSON.stringify(await runningOn(name)) === want ? true : undefined), {
    timeoutMs,
    what: `${name} running on ${want}`,
  });
}

/** Waits (bounded) until the persistent app runs nowhere and its one task waits, pending. */
async function waitUntilPending(name: string, timeoutMs = 60_000): Promise<Task> {
  return eventually(
    async () => {
      const tasks = await tasksOf(name);
      const pending = tasks.filter((t) => t.Status.State === "pending");
      return tasks.length === 1 && pending.length === 1 ? pending[0] : undefined;
    },
    { timeoutMs, what: `${name} to have one pending task and none running` },
  );
}

/** Names of this prefix's volumes on the node's own engine. */
async function volumesOn(hostname: string): Promise<string[]> {
  const { Volumes } = await swarm.node(hostname).docker.listVolumes();
  return (Volumes ?? [])
    .map((v) => v.Name)
    .filter((n) => n.startsWith(`alacran--${P}`))
    .sort();
}

/** A file of a named volume, read from the node's own disk. */
async function volumeFile(hostname: string, volume: string, file: string): Promise<string> {
  const path = `/var/lib/docker/volumes/alacran--${volume}/_data/${file}`;
  const result = await swarm.node(hostname).container.exec(["cat", path]);
  expect(result.exitCode, result.output).toBe(0);
  return result.output.trim();
}

async function dataOf(): Promise<DataInventory> {
  const result = await cli(["data", "--output", "json"]);
  expect(result.code, show(result)).toBe(0);
  return JSON.parse(result.stdout) as DataInventory;
}

async function statusTable(): Promise<string> {
  const result = await cli(["status"]);
  expect(result.code, show(result)).toBe(0);
  return result.stdout;
}

/** The status table's row of one app. */
const rowOf = (table: string, name: string): string =>
  table.split("\n").find((line) => line.startsWith(`${name} `)) ?? `(no row for ${name} in)\n${table}`;

/** Polls `status` (bounded) until the app's row matches. */
async function waitForStatusRow(name: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return eventually(
    async () => {
      const row = rowOf(await statusTable(), name);
      return pattern.test(row) ? row : undefined;
    },
    { timeoutMs, intervalMs: 1000, what: `status of ${name} to match ${String(pattern)}` },
  );
}

const idOf = (hostname: string): string => swarm.node(hostname).nodeId;
const pinnedTo = (hostname: string): string[] => [`node.id==${idOf(hostname)}`];

describe("placement of persistent apps on a 3-node Swarm", () => {
  let firstDataOfB = "";

  it("spreads persistent apps without spec.node over node-1, node-2, node-3 in name order", async () => {
    // Files named against the app order: the planner must take apps in name order, not file order.
    manifests.set("z-auto-a.yaml", persistentApp(AUTO_A, `${P}data-a`));
    manifests.set("y-auto-b.yaml", persistentApp(AUTO_B, `${P}data-b`));
    manifests.set("x-auto-c.yaml", persistentApp(AUTO_C, `${P}data-c`));
    manifests.set("web.yaml", appYaml(WEB, { replicas: 3 }));

    // The plan names each node and the planner's reason for it; the stateless app gets none.
    const planned = await onFreshDir("plan");
    expect(planned.code, show(planned)).toBe(2);
    for (const [app, hostname] of [
      [AUTO_A, "node-1"],
      [AUTO_B, "node-2"],
      [AUTO_C, "node-3"],
    ] as const) {
      expect(planned.stdout).toMatch(
        new RegExp(
          `^\\+ create ${app} \\(new app\\)\\n(    .*\\n)*?    node: ${hostname} \\(${idOf(hostname)}\\), chosen: the node with the fewest pinned apps$`,
          "m",
        ),
      );
    }
    expect(planned.stdout.match(/^ {4}node: /gm)).toHaveLength(3);

    const applied = await onFreshDir("apply", "--wait", "--timeout", "90");
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stdout).toContain(`@ pin ${AUTO_A} to node node-1 (pin requested)`);
    expect(applied.stdout).toContain(`@ pin ${AUTO_B} to node node-2 (pin requested)`);
    expect(applied.stdout).toContain(`@ pin ${AUTO_C} to node node-3 (pin requested)`);
    expect(applied.stdout).not.toContain(`@ pin ${WEB}`);

    expect(await constraintsOf(AUTO_A)).toEqual(pinnedTo("node-1"));
    expect(await constraintsOf(AUTO_B)).toEqual(pinnedTo("node-2"));
    expect(await constraintsOf(AUTO_C)).toEqual(pinnedTo("node-3"));
    expect(await constraintsOf(WEB)).toEqual([]);
    expect(await runningOn(AUTO_A)).toEqual(["node-1"]);
    expect(await runningOn(AUTO_B)).toEqual(["node-2"]);
    expect(await runningOn(AUTO_C)).toEqual(["node-3"]);
    expect((await runningOn(WEB)).length).toBe(3);

    // Each named volume exists on its app's node, and on no other.
    expect(await volumesOn("node-1")).toEqual([`alacran--${P}data-a`]);
    expect(await volumesOn("node-2")).toEqual([`alacran--${P}data-b`]);
    expect(await volumesOn("node-3")).toEqual([`alacran--${P}data-c`]);
    firstDataOfB = await volumeFile("node-2", `${P}data-b`, "first");
    expect(firstDataOfB).toMatch(/^[0-9a-f]{12}$/);
  });

  it("status shows each persistent app's node and the node's state", async () => {
    const table = await statusTable();
    expect(rowOf(table, AUTO_A)).toMatch(
      /\syes\s+1\/1\s+node-1 \(ready\/active\)\s+alacran--t-mn-data-a\s+alacran--default\s+running/,
    );
    expect(rowOf(table, AUTO_B)).toMatch(
      /\syes\s+1\/1\s+node-2 \(ready\/active\)\s+\S+\s+alacran--default\s+running/,
    );
    expect(rowOf(table, AUTO_C)).toMatch(
      /\syes\s+1\/1\s+node-3 \(ready\/active\)\s+\S+\s+alacran--default\s+running/,
    );
    expect(rowOf(table, WEB)).toMatch(/\sno\s+3\/3\s+-\s+-\s+alacran--default\s+running/);
  });

  it("keeps every app where it was across re-applies from fresh processes and fresh directories", async () => {
    const versions = await Promise.all(
      [AUTO_A, AUTO_B, AUTO_C].map(async (n) => (await service(n))?.Version?.Index),
    );
    const planned = await onFreshDir("plan");
    expect(planned.code, show(planned)).toBe(0);
    expect(planned.stdout).toContain("No changes");
    const applied = await onFreshDir("apply");
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stdout).not.toContain("@ pin");
    const after = await Promise.all(
      [AUTO_A, AUTO_B, AUTO_C].map(async (n) => (await service(n))?.Version?.Index),
    );
    expect(after).toEqual(versions);
    expect(await constraintsOf(AUTO_B)).toEqual(pinnedTo("node-2"));
    expect(await runningOn(AUTO_B)).toEqual(["node-2"]);
  });

  it("rejects an unknown spec.node, naming the nodes that exist, and changes nothing", async () => {
    const dir = new AppsDir("alacrity-mn-unknown");
    try {
      for (const [file, text] of manifests) dir.write(file, text);
      dir.write("nowhere.yaml", persistentApp(`${P}nowhere`, `${P}data-nowhere`, { node: "node-9" }));
      const planned = await cli(["plan", "--dir", dir.path]);
      expect(planned.code, show(planned)).toBe(1);
      // The position: the file under --dir, line and column of spec.node.
      expect(planned.stdout).toMatch(
        new RegExp(`! reject ${P}nowhere: \\S*/nowhere\\.yaml:\\d+:\\d+: spec\\.node: no node node-9`),
      );
      expect(planned.stdout).toContain(
        `spec.node: no node node-9 in the Swarm; the nodes are: node-1 (${idOf("node-1")}), ` +
          `node-2 (${idOf("node-2")}), node-3 (${idOf("node-3")})`,
      );
      const applied = await cli(["apply", "--dir", dir.path]);
      expect(applied.code, show(applied)).toBe(1);
      expect(applied.stdout).toContain(`spec.node: no node node-9 in the Swarm; the nodes are: node-1 (`);
    } finally {
      dir.dispose();
    }
    expect(await service(`${P}nowhere`)).toBeUndefined();
    await expect(swarm.docker.getConfig(`alacrity-pin--${P}nowhere`).inspect()).rejects.toThrow(
      /404|no such/i,
    );
    expect(await runningOn(AUTO_A)).toEqual(["node-1"]);
  });

  it("pins to spec.node by hostname and by node ID, and reports a missing host path with its node", async () => {
    manifests.set("by-host.yaml", persistentApp(BY_HOST, `${P}data-host`, { node: "node-1" }));
    manifests.set("by-id.yaml", persistentApp(BY_ID, `${P}data-id`, { node: idOf("node-2") }));
    manifests.set(
      "bind.yaml",
      appYaml(BIND, {
        persistent: true,
        node: "node-2",
        volumes: [{ hostPath: MISSING_PATH, containerPath: "/uploads" }],
      }),
    );

    const planned = await onFreshDir("plan");
    expect(planned.stdout).toContain(`    node: node-1 (${idOf("node-1")}), set by spec.node\n`);
    expect(planned.stdout).toContain(`    node: node-2 (${idOf("node-2")}), set by spec.node\n`);
    const applied = await onFreshDir("apply", "--wait", "--timeout", "60");
    expect(applied.code, show(applied)).toBe(1);
    expect(applied.stdout).toContain(`@ pin ${BY_HOST} to node node-1 (pin requested)`);
    expect(applied.stdout).toContain(`@ pin ${BY_ID} to node node-2 (pin requested)`);
    expect(applied.stdout).toContain(`bind source path does not exist: ${MISSING_PATH}`);
    expect(applied.stdout).toMatch(
      new RegExp(`x ${BIND}: 0/1 running: .*bind source path does not exist: ${MISSING_PATH} on node node-2`),
    );

    expect(await constraintsOf(BY_HOST)).toEqual(pinnedTo("node-1"));
    expect(await constraintsOf(BY_ID)).toEqual(pinnedTo("node-2"));
    expect(await constraintsOf(BIND)).toEqual(pinnedTo("node-2"));
    expect(await runningOn(BY_HOST)).toEqual(["node-1"]);
    expect(await runningOn(BY_ID)).toEqual(["node-2"]);
    expect(await volumesOn("node-1")).toEqual([`alacran--${P}data-a`, `alacran--${P}data-host`]);
    expect(await volumesOn("node-2")).toEqual([`alacran--${P}data-b`, `alacran--${P}data-id`]);
    expect(await volumesOn("node-3")).toEqual([`alacran--${P}data-c`]);

    const row = await waitForStatusRow(BIND, /failed/);
    expect(row).toContain(`host directory ${MISSING_PATH} does not exist on the node`);
  });

  it("brings an app removed and re-added back to the node that holds its data", async () => {
    manifests.delete("y-auto-b.yaml");
    manifests.delete("bind.yaml");
    const removed = await onFreshDir("apply");
    expect(removed.code, show(removed)).toBe(0);
    expect(removed.stdout).toContain(`- remove ${AUTO_B}`);
    expect(removed.stdout).toContain(`- remove ${BIND}`);
    expect(await service(AUTO_B)).toBeUndefined();
    await expect(swarm.docker.getConfig(`alacrity-pin--${AUTO_B}`).inspect()).resolves.toBeDefined();
    expect(await volumesOn("node-2")).toContain(`alacran--${P}data-b`);

    // `alacrity data` (issue 19) lists what the removals left on node-2 and how to delete it
    // there; the manager's engine cannot see node-2's volumes, so it gives no size.
    const left = await dataOf();
    const leftOfB = left.entries.filter((e) => e.app === AUTO_B);
    expect(leftOfB).toEqual([
      {
        app: AUTO_B,
        nodeId: idOf("node-2"),
        hostname: "node-2",
        kind: "volume",
        name: `alacran--${P}data-b`,
        appExists: false,
        inUse: false,
        nodeState: "ready",
        deleteCommands: [
          { on: "node", node: "node-2", command: `docker volume rm alacran--${P}data-b` },
          { on: "manager", command: `docker config rm alacrity-pin--${AUTO_B}` },
        ],
      },
    ]);
    const leftOfBind = left.entries.filter((e) => e.app === BIND);
    expect(leftOfBind.map((e) => [e.kind, e.name, e.hostname, e.appExists])).toEqual([
      ["host-path", MISSING_PATH, "node-2", false],
    ]);
    expect(left.entries.find((e) => e.app === BY_ID)).toMatchObject({ appExists: true, inUse: true });

    // Pins now, removed apps' included: node-1 two (auto-a, by-host), node-2 three (auto-b, by-id,
    // bind), node-3 one (auto-c). A new choice would be node-3; the kept pin sends auto-b back to
    // node-2, where its volume is. A new app, auto-d, goes to node-3: the fewest pins, though not
    // the first hostname.
    manifests.set("y-auto-b.yaml", persistentApp(AUTO_B, `${P}data-b`));
    manifests.set("w-auto-d.yaml", persistentApp(AUTO_D, `${P}data-d`));
    const replanned = await onFreshDir("plan");
    expect(replanned.stdout).toContain(
      `    node: node-2 (${idOf("node-2")}), its existing pin (its data is there)\n`,
    );
    const readded = await onFreshDir("apply", "--wait", "--timeout", "60");
    expect(readded.code, show(readded)).toBe(0);
    expect(readded.stdout).not.toContain(`@ pin ${AUTO_B}`);
    expect(readded.stdout).toContain(`+ create ${AUTO_B}`);
    expect(readded.stdout).toContain(`@ pin ${AUTO_D} to node node-3 (pin requested)`);
    expect(await constraintsOf(AUTO_D)).toEqual(pinnedTo("node-3"));
    expect(await runningOn(AUTO_D)).toEqual(["node-3"]);
    expect(await constraintsOf(AUTO_B)).toEqual(pinnedTo("node-2"));
    expect(await runningOn(AUTO_B)).toEqual(["node-2"]);
    expect(await volumeFile("node-2", `${P}data-b`, "first")).toBe(firstDataOfB);
    expect(await volumesOn("node-3")).toEqual([`alacran--${P}data-c`, `alacran--${P}data-d`]);

    // auto-b's volume is in use again. bind's data deleted and its pin released with the
    // commands `data` printed, each run where it says: `data` no longer lists bind.
    const back = await dataOf();
    expect(back.entries.find((e) => e.app === AUTO_B)).toMatchObject({ appExists: true, inUse: true });
    for (const c of leftOfBind.flatMap((e) => e.deleteCommands ?? [])) {
      const result = await swarm
        .node(c.on === "node" ? c.node! : "node-1")
        .container.exec(["sh", "-c", c.command]);
      expect(result.exitCode, result.output).toBe(0);
    }
    const after = await dataOf();
    expect(after.entries.filter((e) => e.app === BIND)).toEqual([]);
    expect(after.releases.filter((r) => r.app === BIND)).toEqual([]);
    expect(after.entries.filter((e) => e.app === AUTO_B)).toHaveLength(1);
  });

  it("a stateless app on the other nodes reaches a database pinned to node-1 by name", async () => {
    // busybox's nc answers every connection with one line; the client asks for it by tasks.NAME
    // (this kernel has no IPVS: the virtual IP does not route, see ENVIRONMENT.md).
    const answer = ["busybox", "nc", "-ll", "-p", "8080", "-e", "/bin/echo", "db-answer"];
    manifests.set("net-db.yaml", appYaml(NET_DB, { persistent: true, node: "node-1", command: answer }));
    manifests.set("net-client.yaml", appYaml(NET_CLIENT, { replicas: 3 }));
    const applied = await onFreshDir("apply", "--wait", "--timeout", "90");
    expect(applied.code, show(applied)).toBe(0);
    expect(await runningOn(NET_DB)).toEqual(["node-1"]);
    const heard = await eventually(
      async () => {
        for (const hostname of ["node-2", "node-3"]) {
          const node = swarm.node(hostname);
          const [task] = await node.docker.listContainers({
            filters: { label: [`com.docker.swarm.service.name=${NET_CLIENT}`], status: ["running"] },
          });
          if (!task) continue;
          const asked = await execInContainer(node.docker, task.Id, [
            "sh",
            "-c",
            `echo | busybox nc -w 3 tasks.${NET_DB} 8080`,
          ]);
          if (asked.stdout.includes("db-answer")) return hostname;
        }
        return undefined;
      },
      { timeoutMs: 60_000, what: `${NET_CLIENT} on node-2 or node-3 reaching ${NET_DB} on node-1` },
    );
    log(`${NET_CLIENT} on ${heard} reached ${NET_DB} on node-1 over alacran--default`);
    // The later phases count tasks per node: these two go again.
    manifests.delete("net-db.yaml");
    manifests.delete("net-client.yaml");
    const removed = await onFreshDir("apply");
    expect(removed.code, show(removed)).toBe(0);
  });

  it("a global app runs one task on each node; a spread preference splits replicas over a node label", async () => {
    const GLOBAL = `${P}global`;
    const SPREAD = `${P}spread`;
    // Two zones: node-1 alone in zone a, node-2 and node-3 in zone b.
    for (const [hostname, zone] of [
      ["node-1", "a"],
      ["node-2", "b"],
      ["node-3", "b"],
    ] as const) {
      const labelled = await swarm
        .node("node-1")
        .container.exec(["docker", "node", "update", "--label-add", `zone=${zone}`, hostname]);
      expect(labelled.exitCode, labelled.output).toBe(0);
    }
    manifests.set("global.yaml", appYaml(GLOBAL, { mode: "global" }));
    manifests.set(
      "spread.yaml",
      appYaml(SPREAD, { replicas: 4, placement: { preferences: [{ spread: "node.labels.zone" }] } }),
    );
    const applied = await onFreshDir("apply", "--wait", "--timeout", "90");
    expect(applied.code, show(applied)).toBe(0);
    expect((await service(GLOBAL))?.Spec?.Mode).toEqual({ Global: {} });
    await waitUntilRunningOn(GLOBAL, ["node-1", "node-2", "node-3"]);
    // Spread over zones: half of the 4 tasks in zone a (node-1 only), half in zone b.
    const spread = await runningOn(SPREAD);
    expect(
      spread.filter((h) => h === "node-1"),
      spread.join(", "),
    ).toHaveLength(2);
    expect(
      spread.filter((h) => h !== "node-1"),
      spread.join(", "),
    ).toHaveLength(2);
    // Positive control of the preference: the spec carries it as written.
    expect((await service(SPREAD))?.Spec?.TaskTemplate?.Placement?.Preferences).toEqual([
      { Spread: { SpreadDescriptor: "node.labels.zone" } },
    ]);
    const again = await onFreshDir("plan");
    expect(again.code, show(again)).toBe(0);
    manifests.delete("global.yaml");
    manifests.delete("spread.yaml");
    const removed = await onFreshDir("apply");
    expect(removed.code, show(removed)).toBe(0);
  });

  it("a persistent app's service stops its task with a 60 s grace period (Swarm's default is 10 s)", async () => {
    const spec = (await service(BY_HOST))?.Spec?.TaskTemplate as {
      ContainerSpec?: { StopGracePeriod?: number };
    };
    expect(spec.ContainerSpec?.StopGracePeriod).toBe(60_000_000_000);
    // Positive control: a stateless app keeps Swarm's default (no grace period in its spec).
    const web = (await service(WEB))?.Spec?.TaskTemplate as { ContainerSpec?: { StopGracePeriod?: number } };
    expect(web.ContainerSpec).toBeDefined();
    expect(web.ContainerSpec?.StopGracePeriod).toBeUndefined();
  });

  it("a stopped node: its persistent apps wait there, status says it is down, stateless apps run elsewhere", async () => {
    const began = Date.now();
    await swarm.stopNode("node-3");
    await swarm.waitForNodeState("node-3", "down", 60_000);
    log(`node-3 down after ${Date.now() - began} ms`);

    await eventually(
      async () => {
        const on = await runningOn(WEB);
        return on.length === 3 && !on.includes("node-3") ? on : undefined;
      },
      { timeoutMs: 60_000, what: `${WEB} running 3 tasks on node-1 and node-2` },
    );
    const waitingC = await waitUntilPending(AUTO_C);
    expect(waitingC.NodeID ?? "").toBe("");
    await waitUntilPending(AUTO_D);
    log(`stateless moved, persistent pending after ${Date.now() - began} ms`);

    const row = await waitForStatusRow(AUTO_C, /waiting/);
    expect(row).toMatch(/\s0\/1\s+node-3 \(down\/active\)\s/);
    expect(row).toContain("pinned node node-3 is down: a persistent app waits for its node");
    const table = await statusTable();
    expect(rowOf(table, AUTO_D)).toContain("pinned node node-3 is down");
    expect(rowOf(table, WEB)).toMatch(/\sno\s+3\/3\s+-\s+-\s+alacran--default\s+running/);

    // A fresh controller does not move them either.
    const applied = await onFreshDir("apply");
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stdout).not.toContain("@ pin");
    expect(applied.stdout).toContain(`warning: ${AUTO_C}: pinned node node-3 is down`);
    expect(await constraintsOf(AUTO_C)).toEqual(pinnedTo("node-3"));
    expect(await runningOn(AUTO_C)).toEqual([]);
    expect(await runningOn(AUTO_A)).toEqual(["node-1"]);
    expect(await runningOn(AUTO_B)).toEqual(["node-2"]);

    // `apply --wait` reports them after a short grace instead of waiting out its timeout.
    const waitStarted = Date.now();
    const waited = await onFreshDir("apply", "--wait", "--timeout", "120");
    const waitedMs = Date.now() - waitStarted;
    expect(waited.code, show(waited)).toBe(1);
    expect(waitedMs).toBeLessThan(60_000);
    for (const app of [AUTO_C, AUTO_D])
      expect(waited.stdout).toContain(
        `x ${app}: 0/1 running: pinned node node-3 is down: a persistent app waits for its node\n`,
      );
    expect(waited.stdout).toContain(", 2 not running.");
  });

  it("a drained node: its persistent apps wait, status explains, and they return when it is active", async () => {
    await swarm.drainNode("node-2");
    const waitingB = await waitUntilPending(AUTO_B);
    expect(waitingB.NodeID ?? "").toBe("");
    await waitUntilPending(BY_ID);
    const row = await waitForStatusRow(AUTO_B, /waiting/);
    expect(row).toMatch(/\s0\/1\s+node-2 \(ready\/drain\)\s/);
    expect(row).toContain("pinned node node-2 is drained: a persistent app waits for its node");
    await eventually(
      async () => {
        const on = await runningOn(WEB);
        return on.length === 3 && on.every((h) => h === "node-1") ? on : undefined;
      },
      { timeoutMs: 60_000, what: `${WEB} running 3 tasks on node-1` },
    );

    const applied = await onFreshDir("apply");
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stdout).not.toContain("@ pin");
    expect(applied.stdout).toContain(`warning: ${AUTO_B}: pinned node node-2 is drained`);
    expect(await runningOn(AUTO_B)).toEqual([]);

    await swarm.activateNode("node-2");
    await waitUntilRunningOn(AUTO_B, ["node-2"]);
    await waitUntilRunningOn(BY_ID, ["node-2"]);
    expect(await volumeFile("node-2", `${P}data-b`, "first")).toBe(firstDataOfB);
  });

  it("a node removed from the Swarm: the app is not re-pinned; an explicit move places it on the new node", async () => {
    await swarm.removeNode("node-3");

    const planned = await onFreshDir("plan");
    expect(planned.code, show(planned)).toBe(0);
    expect(planned.stdout).not.toContain("@ pin");
    const applied = await onFreshDir("apply");
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stdout).not.toContain("@ pin");
    expect(applied.stdout).toContain(
      `warning: ${AUTO_C}: pinned node node-3 (${idOf("node-3")}) is no longer in the Swarm`,
    );
    expect(await constraintsOf(AUTO_C)).toEqual(pinnedTo("node-3"));
    expect(await runningOn(AUTO_C)).toEqual([]);

    const row = rowOf(await statusTable(), AUTO_C);
    expect(row).toMatch(/\s0\/1\s+node-3 \(gone\)\s+\S+\s+alacran--default\s+waiting\s/);
    expect(row).toContain("is no longer in the Swarm; to move the app: set spec.node to a new node");
    expect(row).toContain('alacrity.dev/allow-move: "true"');

    // The documented move: spec.node and the annotation. auto-d, on the gone node too, is retired.
    manifests.delete("w-auto-d.yaml");
    manifests.set(
      "x-auto-c.yaml",
      persistentApp(
        AUTO_C,
        `${P}data-c`,
        { node: "node-2" },
        { annotations: { "alacrity.dev/allow-move": "true" } },
      ),
    );
    const movePlan = await onFreshDir("plan");
    expect(movePlan.code, show(movePlan)).toBe(2);
    expect(movePlan.stdout).toContain(
      `@ pin ${AUTO_C} to node node-2 (replacing its previous pin) (explicit move)`,
    );
    const dataWarning =
      `warning: ${AUTO_C}: moving ${AUTO_C} from node-3 (${idOf("node-3")}) to node-2 (${idOf("node-2")}): ` +
      "its data does not move";
    expect(movePlan.stdout).toContain(dataWarning);
    // No container of the app runs (its node is gone, status says 0/1): the move restarts nothing,
    // it starts the app on node-2.
    expect(movePlan.stdout).toMatch(
      new RegExp(
        `^~ update ${AUTO_C} \\(explicit move\\)\\n    constraints: node\\.id==${idOf("node-3")} -> node\\.id==${idOf("node-2")}\\n    restarts: no$`,
        "m",
      ),
    );

    const moved = await onFreshDir("apply", "--wait", "--timeout", "60");
    expect(moved.code, show(moved)).toBe(0);
    expect(moved.stdout).toContain(dataWarning);
    expect(await constraintsOf(AUTO_C)).toEqual(pinnedTo("node-2"));
    expect(await runningOn(AUTO_C)).toEqual(["node-2"]);
    expect(await volumesOn("node-2")).toContain(`alacran--${P}data-c`);
    // What it had on node-3 is still listed (the node left the Swarm, its disk may not be lost),
    // with the command that forgets it once dealt with.
    const movedData = (await dataOf()).entries.filter((e) => e.app === AUTO_C);
    expect(movedData.map((e) => [e.hostname, e.name, e.inUse, e.nodeState ?? "not in the Swarm"])).toEqual([
      ["node-2", `alacran--${P}data-c`, true, "ready"],
      ["node-3", `alacran--${P}data-c`, false, "not in the Swarm"],
    ]);
    expect(movedData[1]?.deleteCommands?.at(-1)?.command).toBe(
      `docker config rm alacrity-left--${AUTO_C}--${idOf("node-3").slice(0, 12)}`,
    );
    expect(rowOf(await statusTable(), AUTO_C)).toMatch(
      /\s1\/1\s+node-2 \(ready\/active\)\s+\S+\s+alacran--default\s+running/,
    );

    // With the annotation removed afterwards, the new pin is simply kept.
    manifests.set("x-auto-c.yaml", persistentApp(AUTO_C, `${P}data-c`, { node: "node-2" }));
    const settled = await onFreshDir("plan");
    expect(settled.code, show(settled)).toBe(0);
    expect(settled.stdout).toContain("No changes");
  });
});
