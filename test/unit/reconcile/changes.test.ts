import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { desiredFields } from "../../../src/reconcile/desiredFields.js";
import { diffFields } from "../../../src/reconcile/diff.js";
import { specHash } from "../../../src/reconcile/hash.js";
import { specFromFields } from "../../../src/swarm/serviceSpec.js";
import { LABEL, volumeName } from "../../../src/domain/names.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";

const pin = { nodeId: "id-w1", hostname: "w1" };

describe("desiredFields", () => {
  it("sets the image, command, args, env, ports, and our labels", () => {
    const app = anApp("web")
      .command("httpd")
      .args("-f")
      .env("B", "2")
      .env("A", "1")
      .port(80, 8080)
      .label("team", "blog")
      .build();
    const f = desiredFields(app, undefined, { ...OPTIONS, instance: "ci", revision: "abc123" });
    expect(f.image).toBe("alacrity-test/busybox:1");
    expect(f.command).toEqual(["httpd"]);
    expect(f.args).toEqual(["-f"]);
    expect(Object.keys(f.env)).toEqual(["A", "B"]);
    expect(f.ports).toEqual([{ target: 80, published: 8080, protocol: "tcp" }]);
    expect(f.labels).toMatchObject({
      team: "blog",
      [LABEL.managed]: "true",
      [LABEL.app]: "web",
      [LABEL.instance]: "ci",
      [LABEL.file]: "web.yaml",
      [LABEL.persistent]: "false",
      [LABEL.revision]: "abc123",
    });
    expect(f.labels[LABEL.hash]).toMatch(/^[0-9a-f]{32}$/);
    expect(f.labels[LABEL.pinNode]).toBeUndefined();
  });

  it("non-persistent: no constraints, start-first, unlimited per node", () => {
    const f = desiredFields(anApp("web").replicas(3).build(), undefined, OPTIONS);
    expect(f).toMatchObject({
      replicas: 3,
      constraints: [],
      updateOrder: "start-first",
      maxReplicasPerNode: 0,
    });
  });

  it("persistent: pinned by node ID, stop-first, one per node, pin labels, volumes mapped", () => {
    const app = anApp("db")
      .persistent()
      .withVolume("data", "/data")
      .withHostPath("/srv/up", "/up", true)
      .build();
    const f = desiredFields(app, pin, OPTIONS);
    expect(f).toMatchObject({
      replicas: 1,
      constraints: ["node.id==id-w1"],
      updateOrder: "stop-first",
      maxReplicasPerNode: 1,
    });
    expect(f.labels).toMatchObject({
      [LABEL.persistent]: "true",
      [LABEL.pinNode]: "id-w1",
      [LABEL.pinHostname]: "w1",
    });
    expect(f.mounts).toEqual([
      { kind: "named", source: volumeName("data"), target: "/data", readOnly: false },
      { kind: "host", source: "/srv/up", target: "/up", readOnly: true },
    ]);
    expect(volumeName("data")).toBe("alacran--data");
  });

  it("the hash ignores the revision and key order, but not the content", () => {
    const a = desiredFields(anApp("web").env("A", "1").env("B", "2").build(), undefined, OPTIONS);
    const b = desiredFields(anApp("web").env("B", "2").env("A", "1").build(), undefined, {
      ...OPTIONS,
      revision: "r2",
    });
    const c = desiredFields(anApp("web").env("A", "1").env("B", "3").build(), undefined, OPTIONS);
    expect(a.labels[LABEL.hash]).toBe(b.labels[LABEL.hash]);
    expect(a.labels[LABEL.hash]).not.toBe(c.labels[LABEL.hash]);
    expect(specHash(a)).toBe(a.labels[LABEL.hash]);
  });
});

describe("diffFields", () => {
  const base = (): ServiceFields => structuredClone(desiredFields(anApp("web").build(), undefined, OPTIONS));

  it("treats an empty command like an absent one, and the default protocol like tcp", () => {
    const a = base();
    const b = { ...base(), command: [] as string[] };
    expect(diffFields(a, b)).toEqual([]);
  });

  it("never shows env values", () => {
    const a = { ...base(), env: { KEEP: "same", CHANGE: "old-secret", DROP: "x" } };
    const b = { ...base(), env: { KEEP: "same", CHANGE: "new-secret", ADD: "y" } };
    expect(diffFields(a, b)).toEqual([
      { field: "env.ADD", from: "(unset)", to: "(set)" },
      { field: "env.CHANGE", from: "(set)", to: "(changed)" },
      { field: "env.DROP", from: "(set)", to: "(unset)" },
    ]);
  });

  it("names each changed field", () => {
    const a = base();
    const b = {
      ...base(),
      image: "x:2",
      replicas: 4,
      constraints: ["node.id==n"],
      labels: { ...a.labels, t: "1" },
    };
    expect(diffFields(a, b).map((c) => c.field)).toEqual(["image", "constraints", "labels.t", "replicas"]);
    expect(diffFields(a, b)[0]).toEqual({ field: "image", from: "alacrity-test/busybox:1", to: "x:2" });
  });
});

describe("plan: create, no-op, update, scale", () => {
  const swarm = () => aSwarm().withNode("w1");

  it.each([
    {
      name: "a new app is created",
      app: anApp("web").build(),
      observed: () => swarm().build(),
      expected: [{ kind: "create", app: "web", reason: "new app" }],
    },
    {
      name: "an unchanged app is left alone",
      app: anApp("web").build(),
      observed: () =>
        swarm()
          .withService(serviceFor(anApp("web").build()))
          .build(),
      expected: [],
    },
    {
      name: "a changed image is a manifest change",
      app: anApp("web").image("other:2").build(),
      observed: () =>
        swarm()
          .withService(serviceFor(anApp("web").build()))
          .build(),
      expected: [{ kind: "update", app: "web", reason: "manifest changed" }],
    },
    {
      name: "an image changed by hand is drift",
      app: anApp("web").build(),
      observed: () =>
        swarm()
          .withService(serviceFor(anApp("web").build(), undefined, OPTIONS, (f) => (f.image = "hand:1")))
          .build(),
      expected: [{ kind: "update", app: "web", reason: "drift corrected" }],
    },
    {
      name: "replicas scaled by hand are scaled back",
      app: anApp("web").replicas(2).build(),
      observed: () =>
        swarm()
          .withService(
            serviceFor(anApp("web").replicas(2).build(), undefined, OPTIONS, (f) => (f.replicas = 5)),
          )
          .build(),
      expected: [{ kind: "scale", app: "web", from: 5, to: 2, reason: "drift corrected" }],
    },
    {
      name: "a manifest replicas change is an update (the hash label changes too)",
      app: anApp("web").replicas(3).build(),
      observed: () =>
        swarm()
          .withService(serviceFor(anApp("web").replicas(2).build()))
          .build(),
      expected: [{ kind: "update", app: "web", reason: "manifest changed" }],
    },
    {
      name: "a persistent app scaled above one by hand is brought back to one",
      app: anApp("db").persistent().build(),
      observed: () =>
        swarm()
          .withPin("db", "id-w1")
          .withService(serviceFor(anApp("db").persistent().build(), pin, OPTIONS, (f) => (f.replicas = 3)))
          .build(),
      expected: [
        {
          kind: "scale",
          app: "db",
          from: 3,
          to: 1,
          reason: "scaled back: persistent apps run at most one replica",
        },
      ],
    },
    {
      name: "a lost pin constraint is restored",
      app: anApp("db").persistent().build(),
      observed: () =>
        swarm()
          .withPin("db", "id-w1")
          .withService(
            serviceFor(anApp("db").persistent().build(), pin, OPTIONS, (f) => (f.constraints = [])),
          )
          .build(),
      expected: [{ kind: "update", app: "db", reason: "pin restored" }],
    },
    {
      name: "a memory limit added to the manifest is a manifest change",
      app: anApp("web")
        .resources({ limits: { memoryBytes: 2 ** 29 } })
        .build(),
      observed: () =>
        swarm()
          .withService(serviceFor(anApp("web").build()))
          .build(),
      expected: [
        {
          kind: "update",
          app: "web",
          reason: "manifest changed",
          // The hash label changes too, but it is AlaCrity's own: it is not listed.
          changes: [{ field: "resources.limits.memory", from: "(none)", to: "512M" }],
          restarts: true,
          restartOrder: "start-first",
          internalLabels: [],
        },
      ],
    },
    {
      name: "a CPU limit set by hand is drift, removed",
      app: anApp("web").build(),
      observed: () =>
        swarm()
          .withService(
            serviceFor(
              anApp("web").build(),
              undefined,
              OPTIONS,
              (f) => (f.resources = { limits: { nanoCpus: 5e8 } }),
            ),
          )
          .build(),
      expected: [
        {
          kind: "update",
          app: "web",
          reason: "drift corrected",
          changes: [{ field: "resources.limits.cpus", from: "0.5", to: "(none)" }],
        },
      ],
    },
    {
      name: "unchanged resources, and zero amounts (Swarm's none), change nothing",
      app: anApp("web")
        .resources({ reservations: { nanoCpus: 25e7 } })
        .build(),
      observed: () =>
        swarm()
          .withService(
            serviceFor(
              anApp("web")
                .resources({ reservations: { nanoCpus: 25e7 } })
                .build(),
              undefined,
              OPTIONS,
              (f) =>
                (f.resources = { limits: { nanoCpus: 0, memoryBytes: 0 }, reservations: { nanoCpus: 25e7 } }),
            ),
          )
          .build(),
      expected: [],
    },
    {
      name: "a different revision alone changes nothing",
      app: anApp("web").build(),
      observed: () =>
        swarm()
          .withService(serviceFor(anApp("web").build(), undefined, { ...OPTIONS, revision: "old" }))
          .build(),
      expected: [],
    },
  ])("$name", ({ app, observed, expected }) => {
    const p = plan(desiredOf([app]), observed(), OPTIONS);
    expect(p.rejections).toEqual([]);
    expect(p.actions).toMatchObject(expected);
    expect(p.actions).toHaveLength(expected.length);
  });

  it("an update carries the service version and the changed fields", () => {
    const observed = swarm()
      .withService(serviceFor(anApp("web").build()))
      .build();
    const p = plan(desiredOf([anApp("web").image("other:2").build()]), observed, OPTIONS);
    const a = p.actions[0];
    expect(a?.kind).toBe("update");
    if (a?.kind !== "update") return;
    expect(a.version).toBe(7);
    expect(a.serviceId).toBe("svc-web");
    expect(a.changes).toContainEqual({ field: "image", from: "alacrity-test/busybox:1", to: "other:2" });
  });

  it("keeps env variables named toJSON and constructor, redacted when serialised", () => {
    const app = anApp("web")
      .env("toJSON", "x-value")
      .env("constructor", "y-value")
      .env("SECRET", "pw")
      .build();
    const fields = desiredFields(app, undefined, OPTIONS);
    expect(fields.env).toEqual({ SECRET: "pw", constructor: "y-value", toJSON: "x-value" });
    expect(specFromFields("web", fields).TaskTemplate).toMatchObject({
      ContainerSpec: { Env: ["SECRET=pw", "constructor=y-value", "toJSON=x-value"] },
    });
    const p = plan(desiredOf([app]), swarm().build(), OPTIONS);
    const json = JSON.stringify(p);
    expect(json).toContain('"env":{"SECRET":"(set)","constructor":"(set)","toJSON":"(set)"}');
    for (const value of ['"pw"', "x-value", "y-value"]) expect(json).not.toContain(value);
    // Deployed with another value, the change is a change (not read through Object.prototype).
    const deployed = serviceFor(anApp("web").env("SECRET", "pw").build());
    const changes = plan(desiredOf([app]), swarm().withService(deployed).build(), OPTIONS).actions;
    expect(changes[0]?.kind === "update" && changes[0].changes).toEqual(
      expect.arrayContaining([
        { field: "env.constructor", from: "(unset)", to: "(set)" },
        { field: "env.toJSON", from: "(unset)", to: "(set)" },
      ]),
    );
  });

  it("never puts an env value into the plan, not even when serialised", () => {
    const secret = "hunter2-SECRET-value";
    const fresh = plan(
      desiredOf([anApp("web").env("DB_PASSWORD", secret).build()]),
      swarm().build(),
      OPTIONS,
    );
    const changed = plan(
      desiredOf([anApp("web").env("DB_PASSWORD", secret).build()]),
      swarm()
        .withService(serviceFor(anApp("web").env("DB_PASSWORD", "old-PASSWORD-value").build()))
        .build(),
      OPTIONS,
    );
    for (const p of [fresh, changed]) {
      expect(p.actions).toHaveLength(1);
      const json = JSON.stringify(p);
      expect(json).not.toContain(secret);
      expect(json).not.toContain("old-PASSWORD-value");
      expect(json).toContain("DB_PASSWORD");
    }
    // The executor still gets the real value.
    const create = fresh.actions[0];
    expect(create?.kind === "create" && create.fields.env.DB_PASSWORD).toBe(secret);
    const update = changed.actions[0];
    expect(update?.kind === "update" && update.changes).toContainEqual({
      field: "env.DB_PASSWORD",
      from: "(set)",
      to: "(changed)",
    });
  });
});
