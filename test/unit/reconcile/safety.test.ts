import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import type { AppSpec } from "../../../src/manifest/types.js";
import { LABEL } from "../../../src/domain/names.js";
import {
  aSwarm,
  anApp,
  desiredOf,
  invalidApp,
  OPTIONS,
  orphanService,
  serviceFor,
  unmanagedService,
} from "./builders.js";

const db = (name: string) => anApp(name).persistent();
const onA = { nodeId: "id-a", hostname: "a" };

describe("plan: ownership", () => {
  it.each([
    ["an unmanaged service", unmanagedService("web")],
    ["a service labelled managed=false", unmanagedService("web", { [LABEL.managed]: "false" })],
    ["another instance's service", orphanService("web", "web.yaml", "other")],
  ])("an app whose name is taken by %s is rejected, the service untouched", (_, service) => {
    const p = plan(
      desiredOf([anApp("web").image("mine:1").build(), anApp("api").build()]),
      aSwarm().withService(service).build(),
      OPTIONS,
    );
    expect(p.rejections).toMatchObject([{ app: "web", rule: "unmanaged-conflict" }]);
    expect(p.rejections[0]?.message).toContain("already exists");
    expect(p.actions).toMatchObject([{ kind: "create", app: "api" }]);
  });

  it("the unmanaged-conflict message says what to do", () => {
    const p = plan(
      desiredOf([anApp("web").build()]),
      aSwarm().withService(unmanagedService("web")).build(),
      OPTIONS,
    );
    expect(p.rejections[0]?.message).toMatch(
      /not managed by AlaCrity.*Rename the app, or remove the service/,
    );
  });

  it("a managed service without an instance label belongs to the default instance", () => {
    const service = orphanService("old");
    delete service.fields.labels[LABEL.instance];
    const observed = aSwarm()
      .withService(service)
      .withService(orphanService("x"))
      .withService(orphanService("y"))
      .build();
    const p = plan(desiredOf([anApp("x").build(), anApp("y").build()]), observed, OPTIONS);
    expect(p.actions).toMatchObject([{ kind: "remove", app: "old" }]);
    const other = plan(desiredOf([anApp("z").build()]), aSwarm().withService(service).build(), {
      ...OPTIONS,
      instance: "ci",
    });
    expect(other.actions).toMatchObject([{ kind: "create", app: "z" }]);
  });

  it("never removes an unmanaged or another instance's service", () => {
    const observed = aSwarm()
      .withService(unmanagedService("hand"))
      .withService(orphanService("theirs", "t.yaml", "other"))
      .build();
    const p = plan(desiredOf([anApp("x").build()]), observed, {
      ...OPTIONS,
      allowEmpty: true,
      allowMassPrune: true,
    });
    expect(p.actions).toMatchObject([{ kind: "create", app: "x" }]);
    expect(p.heldBack).toEqual([]);
  });
});

describe("plan: persistent replicas", () => {
  it("a persistent app asking for more than one replica is rejected, pointing at spec.replicas", () => {
    const app = db("db").replicas(3).build();
    const p = plan(desiredOf([app, anApp("web").build()]), aSwarm().withNode("a").build(), OPTIONS);
    expect(p.rejections).toEqual([
      {
        app: "db",
        rule: "persistent-replicas",
        message: expect.stringContaining("cannot have more than 1 replica (got 3)") as string,
        position: app.positions["spec.replicas"],
      },
    ]);
    expect(p.actions).toMatchObject([{ kind: "create", app: "web" }]);
  });

  it("a persistent app with 0 replicas is fine", () => {
    const p = plan(desiredOf([db("db").replicas(0).build()]), aSwarm().withNode("a").build(), OPTIONS);
    expect(p.actions).toMatchObject([{ kind: "pin" }, { kind: "create", fields: { replicas: 0 } }]);
  });

  it("volumes on a non-persistent app are rejected with the fix", () => {
    const p = plan(
      desiredOf([anApp("web").withVolume("v", "/v").build()]),
      aSwarm().withNode("a").build(),
      OPTIONS,
    );
    expect(p.actions).toEqual([]);
    expect(p.rejections[0]).toMatchObject({ app: "web", rule: "volumes-need-persistence" });
    expect(p.rejections[0]?.message).toContain("set spec.persistent: true");
  });
});

describe("plan: storage conflicts", () => {
  const nodes = () => aSwarm().withNode("a").withNode("b");
  type Case = {
    name: string;
    apps: AppSpec[];
    observed: () => ReturnType<typeof nodes>;
    loser: string;
    key: string;
  };
  const cases: Case[] = [
    {
      name: "two new apps, same volume: the later file loses",
      apps: [
        db("one").inFile("b.yaml").withVolume("data", "/d").build(),
        db("two").inFile("a.yaml").withVolume("data", "/x").build(),
      ],
      observed: nodes,
      loser: "one",
      key: "spec.volumes[0].name",
    },
    {
      name: "two new apps in one file, same host path (normalised): the later line loses",
      apps: [
        db("one").inFile("all.yaml", 1).withHostPath("/srv/data/", "/d").build(),
        db("two").inFile("all.yaml", 30).withVolume("v", "/v").withHostPath("/srv//data", "/x").build(),
      ],
      observed: nodes,
      loser: "two",
      key: "spec.volumes[1].hostPath",
    },
    {
      name: "a newcomer claims a volume an existing app's service mounts: the newcomer loses, even from an earlier file",
      apps: [
        db("old").inFile("z.yaml").withVolume("data", "/d").build(),
        db("new").inFile("a.yaml").withVolume("data", "/d").build(),
      ],
      observed: () =>
        nodes()
          .withPin("old", "id-a")
          .withService(serviceFor(db("old").inFile("z.yaml").withVolume("data", "/d").build(), onA)),
      loser: "new",
      key: "spec.volumes[0].name",
    },
    {
      name: "an app claims the host path of a managed service whose manifest is gone",
      apps: [db("new").withHostPath("/srv/x", "/x").build()],
      observed: () => nodes().withService(serviceFor(db("gone").withHostPath("/srv/x", "/x").build(), onA)),
      loser: "new",
      key: "spec.volumes[0].hostPath",
    },
    {
      name: "an existing app adds a volume that another existing app mounts",
      apps: [
        db("keeper").withVolume("data", "/d").build(),
        db("grabber").withVolume("mine", "/m").withVolume("data", "/d").build(),
      ],
      observed: () =>
        nodes()
          .withPin("keeper", "id-a")
          .withPin("grabber", "id-a")
          .withService(serviceFor(db("keeper").withVolume("data", "/d").build(), onA))
          .withService(serviceFor(db("grabber").withVolume("mine", "/m").build(), onA)),
      loser: "grabber",
      key: "spec.volumes[1].name",
    },
    {
      name: "two new apps, one host path inside the other's: the later file loses",
      apps: [
        db("outer").inFile("a.yaml").withHostPath("/srv/db", "/d").build(),
        db("inner").inFile("b.yaml").withHostPath("/srv/db/pgdata", "/d").build(),
      ],
      observed: nodes,
      loser: "inner",
      key: "spec.volumes[0].hostPath",
    },
    {
      name: "two new apps, one host path containing the other's: the later file loses",
      apps: [
        db("inner").inFile("a.yaml").withHostPath("/srv/db/pgdata", "/d").build(),
        db("outer").inFile("b.yaml").withVolume("v", "/v").withHostPath("/srv/db", "/d").build(),
      ],
      observed: nodes,
      loser: "outer",
      key: "spec.volumes[1].hostPath",
    },
    {
      name: "a newcomer binds a directory inside a deployed service's host path",
      apps: [db("new").inFile("a.yaml").withHostPath("/srv/db/pgdata", "/x").build()],
      observed: () => nodes().withService(serviceFor(db("old").withHostPath("/srv/db", "/x").build(), onA)),
      loser: "new",
      key: "spec.volumes[0].hostPath",
    },
    {
      name: "a newcomer binds a directory containing a deployed service's host path",
      apps: [db("new").inFile("a.yaml").withHostPath("/srv/db", "/x").build()],
      observed: () =>
        nodes().withService(serviceFor(db("old").withHostPath("/srv/db/pgdata", "/x").build(), onA)),
      loser: "new",
      key: "spec.volumes[0].hostPath",
    },
  ];

  it.each(cases)("$name", ({ apps, observed, loser, key }) => {
    const p = plan(desiredOf(apps), observed().build(), OPTIONS);
    const app = apps.find((a) => a.name === loser)!;
    expect(p.rejections).toEqual([
      expect.objectContaining({ app: loser, rule: "storage-conflict", position: app.positions[key] }),
    ]);
    expect(p.rejections[0]?.message).toContain("two apps never share one storage path");
    expect(p.actions.filter((a) => a.app === loser)).toEqual([]);
  });

  it("says how two nested host paths conflict, and with which app", () => {
    const p = plan(
      desiredOf([
        db("outer").inFile("a.yaml", 3).withHostPath("/srv/db", "/d").build(),
        db("inner").inFile("b.yaml").withHostPath("/srv/db/pgdata", "/d").build(),
        db("grabber").inFile("c.yaml").withHostPath("/srv/old", "/d").build(),
      ]),
      nodes()
        .withService(serviceFor(db("deployed").withHostPath("/srv/old/data", "/x").build(), onA))
        .build(),
      OPTIONS,
    );
    expect(p.rejections.map((r) => `${r.app}: ${r.message}`)).toEqual([
      "grabber: host path /srv/old contains host path /srv/old/data of app deployed, which is deployed and " +
        "keeps it; two apps never share one storage path, nor one host directory inside another's. Use " +
        "another host path, or remove it from the other app first",
      "inner: host path /srv/db/pgdata lies inside host path /srv/db of app outer (a.yaml:3), which comes first " +
        "and keeps it; two apps never share one storage path, nor one host directory inside another's. Use " +
        "another host path, or remove it from the other app first",
    ]);
  });

  it("siblings with a common name prefix are not nested, and a service's own path is never a conflict", () => {
    const p = plan(
      desiredOf([
        db("one").withHostPath("/srv/db", "/d").build(),
        db("two").withHostPath("/srv/dbx", "/d").build(),
        db("three").withHostPath("/srv/d", "/d").build(),
        // its service mounts the outer directory; the app moves to one inside it
        db("mover").withHostPath("/srv/mover/inner", "/d").build(),
      ]),
      nodes()
        .withService(serviceFor(db("mover").withHostPath("/srv/mover", "/d").build(), onA))
        .build(),
      OPTIONS,
    );
    expect(p.rejections).toEqual([]);
    expect(p.actions.filter((a) => a.kind === "create").map((a) => a.app)).toEqual(["one", "three", "two"]);
  });

  it("the same volume name on different apps' services is not a conflict when each keeps its own", () => {
    const p = plan(
      desiredOf([db("one").withVolume("a", "/d").build(), db("two").withVolume("b", "/d").build()]),
      nodes().build(),
      OPTIONS,
    );
    expect(p.rejections).toEqual([]);
  });
});

describe("plan: invalid manifests and failed files (invalid-manifest, keep-failed-files)", () => {
  it("an invalid manifest is rejected with its first error, and its service is kept", () => {
    const observed = aSwarm()
      .withService(orphanService("web"))
      .withService(orphanService("a"))
      .withService(orphanService("b"))
      .build();
    const desired = desiredOf([anApp("a").build(), anApp("b").build()], {
      invalid: [invalidApp("web", "web.yaml", "required")],
      failedFiles: new Set(["web.yaml"]),
    });
    const p = plan(desired, observed, OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.heldBack).toEqual([]);
    expect(p.rejections).toEqual([
      {
        app: "web",
        rule: "invalid-manifest",
        message: "spec.image: required; the app is left as it is until the file is valid",
        position: { file: "web.yaml", line: 5, col: 3 },
      },
    ]);
  });

  it("an invalid manifest is never applied even if another file defines the same name validly", () => {
    const desired = desiredOf([anApp("web").build()], { invalid: [invalidApp("web", "dup.yaml")] });
    const p = plan(desired, aSwarm().build(), OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.rejections).toMatchObject([{ app: "web", rule: "invalid-manifest" }]);
  });

  it("a file that fails to parse keeps every app it last defined", () => {
    const observed = aSwarm()
      .withService(orphanService("one", "broken.yaml"))
      .withService(orphanService("two", "broken.yaml"))
      .withService(orphanService("gone", "fine.yaml"))
      .withService(orphanService("kept", "fine.yaml"))
      .build();
    const desired = desiredOf([anApp("kept").inFile("fine.yaml").build()], {
      invalid: [invalidApp(undefined, "broken.yaml")],
      failedFiles: new Set(["broken.yaml"]),
      fileCount: 2,
    });
    const p = plan(desired, observed, OPTIONS);
    expect(p.actions).toEqual([
      { kind: "remove", app: "gone", serviceId: "svc-gone", reason: "app removed" },
    ]);
  });

  it("a directory the load would not walk (a link leading outside) keeps every app of its files", () => {
    const observed = aSwarm()
      .withService(orphanService("deep", "team/sub/deep.yaml"))
      .withService(orphanService("top", "team/top.yaml"))
      .withService(orphanService("near", "teammate.yaml"))
      .withService(orphanService("kept", "fine.yaml"))
      .build();
    const desired = desiredOf([anApp("kept").inFile("fine.yaml").build()], {
      failedFiles: new Set(["team"]),
      fileCount: 1,
    });
    const p = plan(desired, observed, { ...OPTIONS, allowMassPrune: true });
    // teammate.yaml is not in team/: only a whole path segment counts.
    expect(p.actions).toEqual([
      { kind: "remove", app: "near", serviceId: "svc-near", reason: "app removed" },
    ]);
    const whole = plan(desiredOf([], { failedFiles: new Set(["."]), fileCount: 0 }), observed, {
      ...OPTIONS,
      allowEmpty: true,
      allowMassPrune: true,
    });
    expect(whole.actions).toEqual([]);
  });
});

describe("plan: pruning (empty-directory-guard, mass-prune-guard)", () => {
  const swarmWith = (...names: string[]) => {
    const b = aSwarm();
    for (const n of names) b.withService(orphanService(n));
    return b.build();
  };
  const keep = (...names: string[]) => desiredOf(names.map((n) => anApp(n).build()));

  it("removes a managed app whose manifest is gone, and nothing else (no volumes, no pins)", () => {
    const observed = aSwarm()
      .withNode("a")
      .withPin("db", "id-a")
      .withService(serviceFor(db("db").withVolume("v", "/v").build(), onA))
      .withService(orphanService("web"))
      .build();
    const p = plan(keep("web"), observed, OPTIONS);
    expect(p.actions).toEqual([{ kind: "remove", app: "db", serviceId: "svc-db", reason: "app removed" }]);
  });

  it.each([
    { name: "3 of 5 removed: held back", services: ["a", "b", "c", "d", "e"], kept: ["d", "e"], held: true },
    {
      name: "2 of 3 removed: not held (not more than two)",
      services: ["a", "b", "c"],
      kept: ["c"],
      held: false,
    },
    {
      name: "3 of 6 removed: not held (not more than half)",
      services: ["a", "b", "c", "d", "e", "f"],
      kept: ["d", "e", "f"],
      held: false,
    },
    {
      name: "4 of 6 removed: held back",
      services: ["a", "b", "c", "d", "e", "f"],
      kept: ["e", "f"],
      held: true,
    },
  ])("mass prune guard: $name", ({ services, kept, held }) => {
    const removed = services.filter((s) => !kept.includes(s));
    const p = plan(keep(...kept), swarmWith(...services), OPTIONS);
    const target = held ? p.heldBack : p.actions;
    expect(target.map((a) => a.app)).toEqual(removed);
    expect((held ? p.actions : p.heldBack).filter((a) => a.kind === "remove")).toEqual([]);
    expect(p.warnings.some((w) => w.message.includes("--allow-mass-prune"))).toBe(held);
    const allowed = plan(keep(...kept), swarmWith(...services), { ...OPTIONS, allowMassPrune: true });
    expect(allowed.actions.map((a) => a.app)).toEqual(removed);
    expect(allowed.heldBack).toEqual([]);
  });

  it.each([
    ["empty", { fileCount: 0, missing: false }],
    ["missing", { fileCount: 0, missing: true }],
  ])("an %s apps directory removes nothing without --allow-empty", (word, extra) => {
    const p = plan(desiredOf([], extra), swarmWith("a", "b"), OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.heldBack.map((a) => a.app)).toEqual(["a", "b"]);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]?.message).toContain(word);
    expect(p.warnings[0]?.message).toContain("--allow-empty");
    const allowed = plan(desiredOf([], extra), swarmWith("a", "b"), { ...OPTIONS, allowEmpty: true });
    expect(allowed.actions.map((a) => a.app)).toEqual(["a", "b"]);
  });

  it("an empty directory holding many apps needs both flags (the guards are independent)", () => {
    const services = swarmWith("a", "b", "c");
    expect(plan(desiredOf([]), services, { ...OPTIONS, allowEmpty: true }).actions).toEqual([]);
    expect(
      plan(desiredOf([]), services, { ...OPTIONS, allowEmpty: true, allowMassPrune: true }).actions,
    ).toHaveLength(3);
  });

  it("orders actions: pins, then creates/updates/scales, then removes", () => {
    const observed = aSwarm()
      .withNode("a")
      .withService(orphanService("zz-old"))
      .withService(orphanService("aa-old"))
      .withService(orphanService("web"))
      .withService(orphanService("x"))
      .withService(orphanService("y"))
      .build();
    const desired = desiredOf([
      anApp("web").image("new:1").build(),
      db("db").build(),
      anApp("x").build(),
      anApp("y").build(),
    ]);
    const p = plan(desired, observed, OPTIONS);
    expect(p.actions.map((a) => `${a.kind}:${a.app}`)).toEqual([
      "pin:db",
      "create:db",
      "update:web",
      "remove:aa-old",
      "remove:zz-old",
    ]);
  });
});
