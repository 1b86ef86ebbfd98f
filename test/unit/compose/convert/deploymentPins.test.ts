import { describe, expect, it } from "vitest";
import { convertCompose } from "../../../../src/compose/convert/convertCompose.js";
import type { ConvertOptions } from "../../../../src/compose/convert/options.js";
import { loaded } from "../load/memoryProject.js";

/*
 * `import --stack NAME` with the Swarm in reach pins each persistent app to the node its task
 * runs on now, where its data is; whatever leaves that node unknown is a warning.
 */

const COMPOSE = `services:
  db:
    image: postgres:16
    volumes: [dbdata:/var/lib/postgresql/data]
  web:
    image: nginx:1
volumes:
  dbdata: {}
`;

async function convert(deployment: ConvertOptions["deployment"], compose = COMPOSE) {
  const { document } = await loaded({ "compose.yaml": compose }, ["compose.yaml"]);
  const result = convertCompose(document, {
    stack: "shop",
    projectDir: "/srv/p",
    outDir: "/srv/p/apps",
    env: {},
    envFiles: new Map(),
    hostPathRoots: ["/srv"],
    ...(deployment ? { deployment } : {}),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const spec = (service: string) =>
    (result.files.find((f) => f.service === service)?.documents[0] as { spec: Record<string, unknown> }).spec;
  const about = (service: string) =>
    result.findings.filter((f) => f.key === `services.${service}`).map((f) => `${f.severity}: ${f.message}`);
  return { spec, about };
}

describe("import --stack: the pin of a persistent app", () => {
  it("is the node its one running task is on; a stateless app is not pinned", async () => {
    const { spec, about } = await convert({
      nodes: new Map([
        ["db", ["worker-2"]],
        ["web", ["worker-1", "worker-3"]],
      ]),
    });
    expect(spec("db").node).toBe("worker-2");
    expect(about("db")).toEqual([
      'note: pinned to "worker-2": its task runs there now, and so does its data (spec.node)',
    ]);
    expect(spec("web").node).toBeUndefined();
    expect(about("web")).toEqual([]);
  });

  it("is left unset, with a warning that says why, when the node is not known", async () => {
    const cases: [ConvertOptions["deployment"], string][] = [
      [
        { unreadable: "unix:///var/run/docker.sock: connect ENOENT" },
        "the Swarm could not be read (unix:///var/run/docker.sock: connect ENOENT)",
      ],
      [{ nodes: new Map() }, "stack shop has no service shop_db"],
      [{ nodes: new Map([["db", []]]) }, "no task of shop_db runs now"],
      [
        { nodes: new Map([["db", ["a", "b"]]]) },
        "its tasks run on a, b, each node with its own copy of the data",
      ],
    ];
    for (const [deployment, why] of cases) {
      const { spec, about } = await convert(deployment);
      expect(spec("db").node).toBeUndefined();
      expect(about("db")).toEqual([
        `warning: not pinned: ${why}; set spec.node to the node that holds its data, or the first apply chooses one (and starts it on an empty volume there)`,
      ]);
    }
  });

  it("keeps a pin the compose file writes, and warns when the task runs elsewhere", async () => {
    const pinned = COMPOSE.replace(
      "    volumes: [dbdata:/var/lib/postgresql/data]\n",
      "    volumes: [dbdata:/var/lib/postgresql/data]\n    deploy: {placement: {constraints: [node.hostname==worker-1]}}\n",
    );
    const same = await convert({ nodes: new Map([["db", ["worker-1"]]]) }, pinned);
    expect(same.spec("db").node).toBe("worker-1");
    expect(same.about("db")).toEqual([]);
    const elsewhere = await convert({ nodes: new Map([["db", ["worker-2"]]]) }, pinned);
    expect(elsewhere.spec("db").node).toBe("worker-1");
    expect(elsewhere.about("db")).toEqual([
      'warning: the compose file pins it to "worker-1" but its task runs on "worker-2": spec.node keeps "worker-1"; check which node holds its data',
    ]);
  });

  it("is not read without --stack's deployment (offline import says nothing of pins)", async () => {
    const { spec, about } = await convert(undefined);
    expect(spec("db").node).toBeUndefined();
    expect(about("db")).toEqual([]);
  });
});
