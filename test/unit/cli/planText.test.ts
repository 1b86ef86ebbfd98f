import { describe, expect, it } from "vitest";
import { planDocument, renderPlan } from "../../../src/cli/render/planText.js";
import { LABEL } from "../../../src/domain/names.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Plan } from "../../../src/reconcile/types.js";
import type { AppSpec, DesiredState } from "../../../src/manifest/types.js";
import type { ObservedState } from "../../../src/swarm/types.js";
import { OPTIONS, aSwarm, anApp, desiredOf, serviceFor } from "../reconcile/builders.js";

const SECRET = "hunter2-s3cret";

/** The blog database of the README: persistent, a volume, a host path, a port, a secret. */
const blogDb = (): AppSpec =>
  anApp("blog-db")
    .image("postgres:16")
    .persistent()
    .args("postgres")
    .env("POSTGRES_DB", "blog_production")
    .env("POSTGRES_PASSWORD", SECRET)
    .port(5432, 15432)
    .withVolume("blog-db-data", "/var/lib/postgresql/data")
    .withHostPath("/srv/blog/uploads", "/uploads", true)
    .label("team", "blog")
    .build();

const twoNodes = () => aSwarm().withNode("w1").withNode("w2");

function planned(
  desired: DesiredState,
  observed: ObservedState,
): { plan: Plan; text: string[]; json: string } {
  const p = plan(desired, observed, OPTIONS);
  expect(p.rejections).toEqual([]);
  return { plan: p, text: renderPlan(p).split("\n"), json: JSON.stringify(planDocument(p)) };
}

/** The lines of one action: its own line and the indented ones under it. */
function block(lines: string[], head: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(head));
  expect(start, `no line starting with ${head} in:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("    "));
  return lines.slice(start, end);
}

describe("plan text: a create shows what will be created", () => {
  it("a persistent app: image, replicas, node and why, mounts, ports, env names, user labels", () => {
    // w1 already holds a pin, so the planner's choice is w2.
    const {
      plan: p,
      text,
      json,
    } = planned(desiredOf([blogDb()]), twoNodes().withPin("other", "id-w1").build());
    expect(block(text, "+ create blog-db")).toEqual([
      "+ create blog-db (new app)",
      "    image: postgres:16",
      '    args: ["postgres"]',
      "    replicas: 1",
      "    node: w2 (id-w2), chosen: the node with the fewest pinned apps",
      "    mounts: volume alacran--blog-db-data -> /var/lib/postgresql/data, host /srv/blog/uploads -> /uploads (read-only)",
      "    ports: 15432:5432/tcp",
      "    env.POSTGRES_DB: (set)",
      "    env.POSTGRES_PASSWORD: (set)",
      "    labels.team: blog",
      "    updateOrder: stop-first",
      "    updateConfig: parallelism 1, delay 0s, failureAction rollback, monitor 5s, maxFailureRatio 0 (AlaCrity's default)",
      "    rollbackConfig: parallelism 1, delay 0s, failureAction pause, monitor 5s, maxFailureRatio 0, order stop-first (AlaCrity's default)",
      "    stopGracePeriod: 1m (AlaCrity's default)",
    ]);
    const create = p.actions.find((a) => a.kind === "create");
    expect(create?.kind === "create" && create.node).toEqual({
      nodeId: "id-w2",
      hostname: "w2",
      why: "fewest pinned apps",
    });
    expect(JSON.parse(json).actions[1]).toMatchObject({
      kind: "create",
      node: { nodeId: "id-w2", hostname: "w2", why: "fewest pinned apps" },
    });
  });

  it("names spec.node as the reason when the manifest sets it", () => {
    const app = { ...blogDb(), node: "w1" };
    const { text } = planned(desiredOf([app]), twoNodes().withPin("other", "id-w1").build());
    expect(text).toContain("    node: w1 (id-w1), set by spec.node");
  });

  it("names the existing pin when a removed app comes back (its data is on that node)", () => {
    const { plan: p, text } = planned(desiredOf([blogDb()]), twoNodes().withPinOf(blogDb(), "id-w1").build());
    expect(p.actions.map((a) => a.kind)).toEqual(["create"]);
    expect(text).toContain("    node: w1 (id-w1), its existing pin (its data is there)");
  });

  it("a stateless app: no node line, start-first, resources where set", () => {
    const web = anApp("web")
      .replicas(3)
      .command("httpd", "-f")
      .port(80)
      .resources({ limits: { nanoCpus: 5e8, memoryBytes: 2 ** 26 } })
      .build();
    const { plan: p, text, json } = planned(desiredOf([web]), twoNodes().build());
    expect(block(text, "+ create web")).toEqual([
      "+ create web (new app)",
      "    image: alacrity-test/busybox:1",
      '    command: ["httpd","-f"]',
      "    replicas: 3",
      "    ports: 80/tcp",
      "    resources.limits.cpus: 0.5",
      "    resources.limits.memory: 64M",
      "    updateOrder: start-first",
      "    updateConfig: parallelism 1, delay 0s, failureAction rollback, monitor 5s, maxFailureRatio 0 (AlaCrity's default)",
      "    rollbackConfig: parallelism 1, delay 0s, failureAction pause, monitor 5s, maxFailureRatio 0, order start-first (AlaCrity's default)",
    ]);
    expect(p.actions[0]).not.toHaveProperty("node");
    expect(json).not.toContain('"why"');
  });
});

describe("plan text: an update says what changes and whether it restarts the app", () => {
  const deployed = (app: AppSpec) => serviceFor(app, { nodeId: "id-w1", hostname: "w1" });
  const pinned = () => twoNodes().withPinOf(blogDb(), "id-w1");

  it("an env change restarts a persistent app stop-first; the hash label is not shown", () => {
    const before = blogDb();
    const after = { ...before, env: { ...before.env, POSTGRES_PASSWORD: `${SECRET}-2` } };
    const {
      plan: p,
      text,
      json,
    } = planned(desiredOf([after]), pinned().withService(deployed(before)).build());
    expect(block(text, "~ update blog-db")).toEqual([
      "~ update blog-db (manifest changed)",
      "    env.POSTGRES_PASSWORD: (set) -> (changed)",
      "    restarts: yes (stop-first)",
    ]);
    expect(text.join("\n")).not.toContain(LABEL.hash);
    expect(JSON.parse(json).actions[0]).toMatchObject({
      kind: "update",
      restarts: true,
      restartOrder: "stop-first",
      internalLabels: [],
      changes: [{ field: "env.POSTGRES_PASSWORD", from: "(set)", to: "(changed)" }],
    });
    // Positive control: the planner did see the hash change (that is the reason), it just is not listed.
    const update = p.actions[0];
    expect(update?.kind === "update" && update.fields.labels[LABEL.hash]).not.toBe(
      deployed(before).fields.labels[LABEL.hash],
    );
  });

  it("an image change of a stateless app restarts it start-first", () => {
    const { text } = planned(
      desiredOf([anApp("web").image("app:2").build()]),
      twoNodes()
        .withService(serviceFor(anApp("web").image("app:1").build()))
        .build(),
    );
    expect(block(text, "~ update web")).toEqual([
      "~ update web (manifest changed)",
      "    image: app:1 -> app:2",
      "    restarts: yes (start-first)",
    ]);
  });

  it("replicas changed in the manifest (with the hash): restarts no", () => {
    const {
      plan: p,
      text,
      json,
    } = planned(
      desiredOf([anApp("web").replicas(3).build()]),
      twoNodes()
        .withService(serviceFor(anApp("web").replicas(2).build()))
        .build(),
    );
    expect(p.actions.map((a) => a.kind)).toEqual(["update"]);
    expect(block(text, "~ update web")).toEqual([
      "~ update web (manifest changed)",
      "    replicas: 2 -> 3",
      "    restarts: no",
    ]);
    expect(JSON.parse(json).actions[0]).toMatchObject({ restarts: false });
    expect(JSON.parse(json).actions[0]).not.toHaveProperty("restartOrder");
  });

  it("a user label changed: shown, restarts no", () => {
    const before = blogDb();
    const after = { ...before, labels: { team: "shop" } };
    const { text } = planned(desiredOf([after]), pinned().withService(deployed(before)).build());
    expect(block(text, "~ update blog-db")).toEqual([
      "~ update blog-db (manifest changed)",
      "    labels.team: blog -> shop",
      "    restarts: no",
    ]);
  });

  it("only AlaCrity's own labels change (the app moved to another file): named, without values", () => {
    const before = anApp("web").build();
    const after = anApp("web").inFile("moved.yaml").build();
    const { plan: p, text } = planned(desiredOf([after]), twoNodes().withService(serviceFor(before)).build());
    expect(block(text, "~ update web")).toEqual([
      "~ update web (manifest changed)",
      "    only AlaCrity's own labels: alacrity.file",
      "    restarts: no",
    ]);
    expect(p.actions[0]).toMatchObject({ changes: [], internalLabels: [LABEL.file] });
  });

  it("a lost pin constraint restored: no restart while the task runs on its node, a restart when elsewhere", () => {
    const app = blogDb();
    const lost = serviceFor(app, { nodeId: "id-w1", hostname: "w1" }, OPTIONS, (f) => (f.constraints = []));
    const onItsNode = planned(
      desiredOf([app]),
      pinned().withService(lost).withTask({ serviceId: lost.id, nodeId: "id-w1" }).build(),
    );
    expect(block(onItsNode.text, "~ update blog-db")).toEqual([
      "~ update blog-db (pin restored)",
      "    constraints: (none) -> node.id==id-w1",
      "    restarts: no",
    ]);
    const elsewhere = planned(
      desiredOf([app]),
      pinned().withService(lost).withTask({ serviceId: lost.id, nodeId: "id-w2" }).build(),
    );
    expect(elsewhere.text).toContain("    restarts: yes (stop-first)");
  });
});

describe("plan output never carries a secret", () => {
  it("neither text nor JSON holds an env value, for a create and for an update", () => {
    const before = blogDb();
    const after = { ...before, env: { ...before.env, POSTGRES_PASSWORD: `${SECRET}-2` } };
    const created = planned(desiredOf([before]), twoNodes().build());
    const updated = planned(
      desiredOf([after]),
      twoNodes()
        .withPin("blog-db", "id-w1")
        .withService(serviceFor(before, { nodeId: "id-w1", hostname: "w1" }))
        .build(),
    );
    for (const out of [created, updated]) {
      expect(out.text.join("\n")).not.toContain(SECRET);
      expect(out.json).not.toContain(SECRET);
      expect(`${out.text.join("\n")}${out.json}`).not.toContain("blog_production");
    }
    // Positive controls: the variables are named, and the executor still gets the real value.
    expect(created.text).toContain("    env.POSTGRES_PASSWORD: (set)");
    expect(created.json).toContain('"POSTGRES_PASSWORD":"(set)"');
    const create = created.plan.actions.find((a) => a.kind === "create");
    expect(create?.kind === "create" && create.fields.env.POSTGRES_PASSWORD).toBe(SECRET);
  });
});
