import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { DUPLICATE_APP_NAMES } from "../../../src/manifest/duplicates.js";
import type { AppSpec } from "../../../src/manifest/types.js";
import type { ObservedService } from "../../../src/swarm/types.js";
import { isOwnLabel, STACK_NAMESPACE_LABEL } from "../../../src/domain/names.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";
import { applyWholePlan } from "./memorySwarm.js";

/*
 * Issue 18: `apply --adopt-stack NAME` takes over in place the services `docker stack deploy`
 * made, for the apps whose `spec.serviceName` names them.
 */

const STACK = "shop";

const db = (): AppSpec =>
  anApp("shop-db")
    .persistent()
    .onNode("a")
    .withExternalVolume("shop_dbdata", "/data")
    .with({ serviceName: "shop_db" })
    .build();
const web = (): AppSpec => anApp("shop-web").replicas(2).with({ serviceName: "shop_web" }).build();

/**
 * The service stack deploy made for `app`: the same fields, none of AlaCrity's labels or its pin,
 * the stack's label instead, and the stack's Swarm name.
 */
function stackService(
  app: AppSpec,
  stack = STACK,
  change: (s: ObservedService) => void = () => {},
): ObservedService {
  const service = serviceFor(app, undefined, OPTIONS, (fields) => {
    for (const key of Object.keys(fields.labels)) if (isOwnLabel(key)) delete fields.labels[key];
    fields.labels[STACK_NAMESPACE_LABEL] = stack;
    fields.constraints = [];
  });
  service.name = service.serviceName = app.serviceName ?? app.name;
  service.id = `svc-${service.name}`;
  change(service);
  return service;
}

const swarmWith = (...services: ObservedService[]) => {
  const swarm = aSwarm().withNode("a").withNode("b").withVolume("shop_dbdata");
  for (const s of services) swarm.withService(s).withTask({ serviceId: s.id, nodeId: "id-a" });
  return swarm.build();
};

const adopting = { ...OPTIONS, adoptStack: STACK, engineNodeId: "id-a" };

describe("plan: taking a stack's services over in place", () => {
  it("without --adopt-stack, the stack's services are conflicts and the message names the flag", () => {
    const p = plan(desiredOf([db(), web()]), swarmWith(stackService(db()), stackService(web())), {
      ...OPTIONS,
      engineNodeId: "id-a",
    });
    expect(p.actions).toEqual([]);
    expect(p.rejections.map((r) => [r.app, r.rule])).toEqual([
      ["shop-db", "unmanaged-conflict"],
      ["shop-web", "unmanaged-conflict"],
    ]);
    expect(p.rejections[0]?.message).toBe(
      "a service named shop_db already exists: it belongs to stack shop, deployed by docker stack deploy, " +
        "and is left alone. To take it over in place, apply with --adopt-stack shop",
    );
  });

  it("with --adopt-stack, each service is updated under its own name, pinned where it runs, and no task restarts", () => {
    const observed = swarmWith(stackService(db()), stackService(web()));
    const p = plan(desiredOf([db(), web()]), observed, adopting);
    expect(p.rejections).toEqual([]);
    expect(p.actions).toMatchObject([
      { kind: "pin", app: "shop-db", nodeId: "id-a", reason: "pin requested" },
      {
        kind: "update",
        app: "shop-db",
        serviceName: "shop_db",
        serviceId: "svc-shop_db",
        reason: "taken over from its stack",
        restarts: false,
      },
      {
        kind: "update",
        app: "shop-web",
        serviceName: "shop_web",
        reason: "taken over from its stack",
        restarts: false,
      },
    ]);
    const dbUpdate = p.actions[1] as Extract<(typeof p.actions)[number], { kind: "update" }>;
    expect(dbUpdate.changes).toEqual(
      expect.arrayContaining([
        { field: "constraints", from: "(none)", to: "node.id==id-a" },
        { field: `labels.${STACK_NAMESPACE_LABEL}`, from: STACK, to: "(unset)" },
      ]),
    );

    // Once applied, the services are the apps': the next plan is empty.
    const after = applyWholePlan(observed, p);
    expect(after.services.map((s) => [s.name, s.serviceName])).toEqual([
      ["shop-db", "shop_db"],
      ["shop-web", "shop_web"],
    ]);
    const again = plan(desiredOf([db(), web()]), after, { ...OPTIONS, engineNodeId: "id-a" });
    expect(again.rejections).toEqual([]);
    expect(again.actions).toEqual([]);
  });

  it("the stack's own use of the volume is no conflict for the app that takes that very service over", () => {
    const p = plan(desiredOf([db()]), swarmWith(stackService(db())), adopting);
    expect(p.rejections).toEqual([]);
    // Positive control: another app on that volume is still refused while the stack's service has it.
    const other = anApp("thief").persistent().onNode("a").withExternalVolume("shop_dbdata", "/x").build();
    const q = plan(desiredOf([db(), other]), swarmWith(stackService(db())), adopting);
    expect(q.rejections).toMatchObject([{ app: "thief", rule: "storage-conflict" }]);
  });

  it("announces a restart when adopting changes what the tasks run, stop-first for a persistent app", () => {
    const changed = stackService(db(), STACK, (s) => (s.fields.image = "alacrity-test/busybox:0"));
    const p = plan(desiredOf([db()]), swarmWith(changed), adopting);
    expect(p.actions).toMatchObject([
      { kind: "pin" },
      { kind: "update", app: "shop-db", restarts: true, restartOrder: "stop-first" },
    ]);
  });

  it("takes over only the stack it is told to, and only services no AlaCrity manages", () => {
    const p = plan(
      desiredOf([db(), web()]),
      swarmWith(stackService(db(), "other"), stackService(web())),
      adopting,
    );
    expect(p.rejections).toMatchObject([{ app: "shop-db", rule: "unmanaged-conflict" }]);
    expect(p.rejections[0]?.message).toContain("belongs to stack other");
    expect(p.actions).toMatchObject([{ kind: "update", app: "shop-web" }]);

    const theirs = stackService(web(), STACK, (s) => {
      s.fields.labels["alacrity.managed"] = "true";
      s.fields.labels["alacrity.instance"] = "ci";
    });
    const q = plan(desiredOf([web()]), swarmWith(theirs), adopting);
    expect(q.rejections).toMatchObject([{ app: "shop-web", rule: "unmanaged-conflict" }]);
    expect(q.rejections[0]?.message).toContain('managed by another AlaCrity instance ("ci"');
  });

  it("creates a missing service under spec.serviceName", () => {
    const p = plan(desiredOf([web()]), aSwarm().build(), OPTIONS);
    expect(p.actions).toMatchObject([{ kind: "create", app: "shop-web", serviceName: "shop_web" }]);
    const plain = plan(desiredOf([anApp("api").build()]), aSwarm().build(), OPTIONS);
    expect(plain.actions[0]).not.toHaveProperty("serviceName");
  });
});

describe("plan: a new spec.serviceName for a managed service", () => {
  const managedAs = (app: AppSpec, swarmName: string): ObservedService => {
    const service = serviceFor(app);
    service.serviceName = swarmName;
    return service;
  };

  it("re-creates a non-persistent app's service under the new name, and says it restarts", () => {
    const app = web();
    const p = plan(desiredOf([app]), aSwarm().withService(managedAs(app, "shop-web")).build(), OPTIONS);
    expect(p.actions).toMatchObject([
      {
        kind: "update",
        app: "shop-web",
        serviceName: "shop_web",
        recreate: true,
        restarts: true,
        changes: [{ field: "serviceName", from: "shop-web", to: "shop_web" }],
      },
    ]);
  });

  it("refuses it for a persistent app, whose data two containers would share for a moment", () => {
    const app = db();
    const observed = aSwarm().withNode("a").withPin("shop-db", "id-a").withVolume("shop_dbdata").build();
    observed.services.push(managedAs(app, "shop-db"));
    const p = plan(desiredOf([app]), observed, { ...OPTIONS, engineNodeId: "id-a" });
    expect(p.actions).toEqual([]);
    expect(p.rejections).toMatchObject([{ app: "shop-db", rule: "service-rename-refused" }]);
    expect(p.rejections[0]?.message).toContain(
      "set spec.serviceName back to shop-db (or remove spec.serviceName)",
    );
    // Positive control: the same app under its service's name is planned as usual.
    const same = plan(desiredOf([{ ...app, serviceName: "shop-db" }]), observed, {
      ...OPTIONS,
      engineNodeId: "id-a",
    });
    expect(same.rejections).toEqual([]);
  });
});

describe("loader: one Swarm service per app", () => {
  it("two apps whose Swarm names are one are both invalid, each error pointing at the other", () => {
    const a = anApp("web").inFile("a.yaml").with({ serviceName: "shop_web" }).build();
    a.positions["spec.serviceName"] = { file: "a.yaml", line: 7, col: 16 };
    const b = anApp("shop_web".replace("_", "-")).inFile("b.yaml").with({ serviceName: "shop_web" }).build();
    b.positions["spec.serviceName"] = { file: "b.yaml", line: 7, col: 16 };
    const c = anApp("api").build();
    const { unique, duplicates } = DUPLICATE_APP_NAMES.check([a, b, c]);
    expect(unique.map((app) => app.name)).toEqual(["api"]);
    expect(duplicates.map((d) => d.errors[0])).toEqual([
      {
        file: "a.yaml",
        line: 7,
        col: 16,
        path: "spec.serviceName",
        message:
          'the Swarm service "shop_web" is also the service of the app at b.yaml:4:9; two apps cannot share one service, change spec.serviceName',
      },
      expect.objectContaining({ file: "b.yaml", path: "spec.serviceName" }),
    ]);
  });
});
