import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppSpec, DesiredState, UpdatePolicySpec } from "../../../src/manifest/types.js";
import type { ObservedNode, ObservedService, ObservedState, PinRecord } from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";
import { plan } from "../../../src/reconcile/plan.js";
import { isManagedBy } from "../../../src/reconcile/managed.js";
import { isUnder } from "../../../src/rules/hostPaths.js";
import { mountKey } from "../../../src/rules/storage.js";
import type { Plan, PlanOptions } from "../../../src/reconcile/types.js";
import { ANNOTATION } from "../../../src/reconcile/types.js";
import { specFromFields } from "../../../src/swarm/serviceSpec.js";
import { renderPlan } from "../../../src/cli/render/planText.js";
import { anApp, desiredOf, invalidApp, rawService, serviceFor, unmanagedService } from "./builders.js";
import { applyPlan } from "./memorySwarm.js";

const NAMES = ["a", "b", "c", "d", "e", "f"];
const HOSTS = ["n1", "n2", "n3"];

const nodeArb: fc.Arbitrary<ObservedNode> = fc
  .record({
    hostname: fc.constantFrom(...HOSTS),
    state: fc.constantFrom("ready", "ready", "down"),
    availability: fc.constantFrom("active", "active", "drain", "pause"),
  })
  .map(({ hostname, state, availability }) => ({
    id: `id-${hostname}`,
    hostname,
    state,
    availability,
    role: "worker" as const,
    labels: {},
  }));

/** Issue 17's fields, each absent, set in part or set in full. */
const seconds = fc.integer({ min: 0, max: 90 }).map((s) => s * 1e9);
const policyArb: fc.Arbitrary<UpdatePolicySpec> = fc.record(
  {
    parallelism: fc.integer({ min: 0, max: 2 }),
    delayNs: seconds,
    failureAction: fc.constantFrom("pause" as const, "continue" as const),
    monitorNs: seconds,
    maxFailureRatio: fc.constantFrom(0, 0.5),
    order: fc.constantFrom("stop-first" as const, "start-first" as const),
  },
  { requiredKeys: [] },
);
const policiesArb = fc.record(
  {
    healthcheck: fc.record(
      {
        test: fc.constantFrom<string[]>(["NONE"], ["CMD", "true"], ["CMD-SHELL", "exit 0"]),
        intervalNs: seconds,
        retries: fc.integer({ min: 0, max: 3 }),
      },
      { requiredKeys: ["test"] },
    ),
    update: policyArb,
    rollback: policyArb,
    restart: fc.record(
      {
        condition: fc.constantFrom("any" as const, "on-failure" as const, "none" as const),
        delayNs: seconds,
        maxAttempts: fc.integer({ min: 0, max: 3 }),
      },
      { requiredKeys: [] },
    ),
    stopGracePeriodNs: seconds,
    mode: fc.constantFrom("replicated" as const, "global" as const),
    placement: fc.record({
      constraints: fc.subarray(["node.labels.zone==eu", "node.role!=manager"]),
      preferences: fc.subarray(["node.labels.zone", "node.labels.rack"]),
      maxReplicasPerNode: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    }),
  },
  { requiredKeys: [] },
);

const appArb = (name: string): fc.Arbitrary<AppSpec> =>
  fc
    .record({
      persistent: fc.boolean(),
      replicas: fc.integer({ min: 0, max: 3 }),
      node: fc.option(fc.constantFrom("n1", "id-n2", "n3", "nope"), { nil: undefined }),
      image: fc.constantFrom("img:1", "img:2"),
      env: fc.dictionary(
        fc.constantFrom("A", "B", "PASSWORD", "toJSON"),
        fc.constantFrom("x", "y", "s3cr3t"),
      ),
      // `external:` ones: an existing Docker volume by its full name, alacran--v1 being v1's.
      volumes: fc.subarray([
        "v1",
        "v2",
        "/srv/x",
        "/srv/x/",
        "/srv/y",
        "/srv/x/sub",
        "/srv",
        "external:alacran--v1",
        "external:shop_v2",
      ]),
      port: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      allowMove: fc.boolean(),
      allowDrop: fc.boolean(),
      file: fc.constantFrom("one.yaml", "two.yaml", "sub/three.yaml"),
      line: fc.integer({ min: 1, max: 40 }),
      policies: policiesArb,
    })
    .map((r) => {
      const b = anApp(name)
        .inFile(r.file, r.line)
        .replicas(r.replicas)
        .image(r.image)
        .persistent(r.persistent);
      if (r.persistent && r.node !== undefined) b.onNode(r.node);
      for (const [k, v] of Object.entries(r.env)) b.env(k, v);
      if (r.persistent) {
        for (const v of r.volumes) {
          if (v.startsWith("/")) b.withHostPath(v, `/mnt${v}`);
          else if (v.startsWith("external:")) b.withExternalVolume(v.slice(9), `/mnt/ext/${v.slice(9)}`);
          else b.withVolume(v, `/mnt/${v}`);
        }
      }
      if (r.port !== undefined) b.port(80, 8000 + r.port);
      if (r.allowMove) b.annotate(ANNOTATION.allowMove, "true");
      if (r.allowDrop) b.annotate(ANNOTATION.allowDropPersistence, "true");
      // As the manifest rules allow them: a persistent app is stop-first, replicated and pinned.
      const { mode, placement, ...policies } = r.policies;
      if (r.persistent) {
        if (policies.update) policies.update = { ...policies.update, order: "stop-first" };
        if (policies.rollback) policies.rollback = { ...policies.rollback, order: "stop-first" };
      }
      b.with(
        r.persistent
          ? policies
          : { ...policies, ...(mode ? { mode } : {}), ...(placement ? { placement } : {}) },
      );
      return b.build();
    });

type ServiceKind = "ours" | "unmanaged" | "other-instance";

const serviceArb = (name: string, nodes: ObservedNode[]): fc.Arbitrary<ObservedService> =>
  fc
    .record({
      kind: fc.constantFrom<ServiceKind>("ours", "ours", "ours", "unmanaged", "other-instance"),
      app: appArb(name),
      pinIndex: fc.integer({ min: 0, max: 3 }),
      replicas: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      dropConstraint: fc.boolean(),
      handImage: fc.boolean(),
      version: fc.integer({ min: 1, max: 100 }),
    })
    .map((r) => {
      if (r.kind === "unmanaged") return unmanagedService(name);
      const node = nodes[r.pinIndex];
      const pin = r.app.persistent
        ? node
          ? { nodeId: node.id, hostname: node.hostname }
          : { nodeId: "id-gone", hostname: "gone" }
        : undefined;
      const instance = r.kind === "ours" ? "default" : "other";
      const s = serviceFor(r.app, pin, { allowEmpty: false, allowMassPrune: false, instance }, (f) => {
        if (r.replicas !== undefined) f.replicas = r.replicas;
        if (r.dropConstraint) f.constraints = [];
        if (r.handImage) f.image = "by-hand:1";
      });
      return rawService(name, s.fields, r.version);
    });

interface World {
  desired: DesiredState;
  observed: ObservedState;
  options: PlanOptions;
}

const worldArb: fc.Arbitrary<World> = fc
  .uniqueArray(nodeArb, { selector: (n) => n.id, maxLength: 3 })
  .chain((nodes) =>
    fc.record({
      nodes: fc.constant(nodes),
      apps: fc.subarray(NAMES).chain((names) => fc.tuple(...names.map(appArb))),
      services: fc
        .subarray([...NAMES, "u1"])
        .chain((names) => fc.tuple(...names.map((n) => serviceArb(n, nodes)))),
      pins: fc
        .subarray(NAMES)
        .chain((names) =>
          fc.tuple(
            ...names.map((app) =>
              fc
                .constantFrom(...HOSTS, "gone")
                .map((h): PinRecord => ({ app, nodeId: `id-${h}`, hostname: h, configId: `cfg-${app}` })),
            ),
          ),
        ),
      invalid: fc.subarray(NAMES, { maxLength: 2 }),
      failedFiles: fc.subarray(["one.yaml", "two.yaml"], { maxLength: 1 }),
      empty: fc.boolean(),
      allowEmpty: fc.boolean(),
      allowMassPrune: fc.boolean(),
    }),
  )
  .map((r) => {
    const desired = desiredOf(r.empty ? [] : r.apps, {
      invalid: r.empty ? [] : r.invalid.map((n) => invalidApp(n, "bad.yaml")),
      failedFiles: new Set(r.empty ? [] : r.failedFiles),
    });
    return {
      desired,
      observed: { services: r.services, tasks: [], nodes: r.nodes, volumes: [], pins: r.pins },
      options: { allowEmpty: r.allowEmpty, allowMassPrune: r.allowMassPrune, instance: "default" },
    };
  });

const RUNS = { numRuns: 300 };

describe("plan: properties over random desired and observed states", () => {
  it("never runs a persistent app with more than one replica", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        for (const a of plan(desired, observed, options).actions) {
          if (a.kind === "create" || a.kind === "update") {
            if (a.fields.labels[LABEL.persistent] === "true")
              expect(a.fields.replicas).toBeLessThanOrEqual(1);
            if (a.fields.labels[LABEL.persistent] === "true") expect(a.fields.updateOrder).toBe("stop-first");
          }
          if (a.kind === "scale" && desired.apps.get(a.app)?.persistent) expect(a.to).toBeLessThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });

  it("generates the cases the properties are about: persistent apps above one replica, unmanaged services, removals", () => {
    const seen = {
      "a persistent app asking for more than one replica": 0,
      "a persistent app's service running more than one replica": 0,
      "an unmanaged or another instance's service": 0,
      "a removal (planned or held back)": 0,
    };
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const p = plan(desired, observed, options);
        if ([...desired.apps.values()].some((a) => a.persistent && a.replicas > 1))
          seen["a persistent app asking for more than one replica"]++;
        const persistentAboveOne = observed.services.some(
          (s) => s.fields.labels[LABEL.persistent] === "true" && (s.fields.replicas ?? 0) > 1,
        );
        if (persistentAboveOne) seen["a persistent app's service running more than one replica"]++;
        if (observed.services.some((s) => !isManagedBy(s, options.instance)))
          seen["an unmanaged or another instance's service"]++;
        if ([...p.actions, ...p.heldBack].some((a) => a.kind === "remove"))
          seen["a removal (planned or held back)"]++;
      }),
      RUNS,
    );
    // Each in at least 5% of the runs, so the properties above were checked on such worlds.
    for (const [what, runs] of Object.entries(seen))
      expect(runs, what).toBeGreaterThanOrEqual(RUNS.numRuns * 0.05);
  });

  it("never acts on an unmanaged or another instance's service, and never creates over an existing one", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const p = plan(desired, observed, options);
        for (const a of [...p.actions, ...p.heldBack]) {
          if (a.kind === "update" || a.kind === "scale" || a.kind === "remove") {
            const s = observed.services.find((x) => x.id === a.serviceId);
            expect(s && isManagedBy(s, options.instance)).toBe(true);
            expect(s?.name).toBe(a.app);
          }
          if (a.kind === "create") expect(observed.services.some((s) => s.name === a.app)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("plans only pin/record-storage/create/update/scale/remove, and moves a pin only when the user allowed it", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const p = plan(desired, observed, options);
        for (const a of [...p.actions, ...p.heldBack]) {
          expect(["pin", "record-storage", "create", "update", "scale", "remove"]).toContain(a.kind);
          // storage is recorded only on a pin record that exists, and never forgets an entry
          if (a.kind === "record-storage") {
            const record = observed.pins.find((x) => x.configId === a.configId);
            expect(record?.app).toBe(a.app);
            for (const v of record?.storage?.volumes ?? []) expect(a.storage.volumes).toContain(v);
          }
          if (a.kind === "pin" && a.replaces !== undefined) {
            expect(desired.apps.get(a.app)?.annotations[ANNOTATION.allowMove]).toBe("true");
            expect(a.reason).toBe("explicit move");
          }
          if (a.kind === "pin" && a.replaces === undefined) {
            // a new pin only for an app without a pin record
            expect(observed.pins.some((x) => x.app === a.app)).toBe(false);
          }
        }
        // a rejected app gets no action
        const rejected = new Set(p.rejections.map((r) => r.app));
        for (const a of p.actions) expect(rejected.has(a.app)).toBe(false);
      }),
      RUNS,
    );
  });

  it("never leaks an env value, and is deterministic whatever the order of the observed lists", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const p = plan(desired, observed, options);
        expect(JSON.stringify(p)).not.toContain("s3cr3t");
        const shuffled: ObservedState = {
          ...observed,
          services: [...observed.services].reverse(),
          nodes: [...observed.nodes].reverse(),
          pins: [...observed.pins].reverse(),
        };
        expect(JSON.stringify(plan(desired, shuffled, options))).toBe(JSON.stringify(p));
      }),
      RUNS,
    );
  });

  it("keeps env variables named like Object.prototype members, and never prints their values", () => {
    // The names a plain object (or a serialiser hung on it) could shadow or be shadowed by.
    const NAMES = ["toJSON", "constructor", "hasOwnProperty", "valueOf", "toString", "isPrototypeOf", "A"];
    const envArb = fc.dictionary(
      fc.constantFrom(...NAMES),
      fc.constantFrom("pw-one-SECRET", "pw-two-SECRET"),
    );
    fc.assert(
      fc.property(envArb, fc.option(envArb, { nil: undefined }), (env, deployed) => {
        const build = (vars: Record<string, string>) => {
          const b = anApp("web");
          for (const [k, v] of Object.entries(vars)) b.env(k, v);
          return b.build();
        };
        const app = build(env);
        const observed: ObservedState = {
          services: deployed ? [serviceFor(build(deployed))] : [],
          tasks: [],
          nodes: [],
          volumes: [],
          pins: [],
        };
        const p = plan(desiredOf([app]), observed, {
          allowEmpty: false,
          allowMassPrune: false,
          instance: "default",
        });
        for (const a of p.actions) {
          if (a.kind !== "create" && a.kind !== "update") continue;
          expect(Object.keys(a.fields.env).sort()).toEqual(Object.keys(env).sort());
          const deployedEnv = specFromFields("web", a.fields).TaskTemplate as {
            ContainerSpec: { Env: string[] };
          };
          expect(deployedEnv.ContainerSpec.Env.sort()).toEqual(
            Object.entries(env)
              .map(([k, v]) => `${k}=${v}`)
              .sort(),
          );
        }
        // Positive control: without a deployed service there is always a create to look at.
        if (!deployed) expect(p.actions.map((a) => a.kind)).toEqual(["create"]);
        const json = JSON.stringify(p);
        const text = renderPlan(p);
        for (const out of [json, text]) expect(out).not.toContain("SECRET");
        for (const key of Object.keys(env)) if (!deployed) expect(json).toContain(`"${key}":"(set)"`);
      }),
      RUNS,
    );
  });

  it("is idempotent: applying the plan and planning again gives no actions (after a storage handover, one more pass)", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const p1 = plan(desired, observed, options);
        const s1 = applyPlan(observed, p1.actions);
        const p2 = plan(desired, s1, options);
        // An app refused a volume still held by a service this pass updated or removed gets it next pass.
        const waited = new Set(p1.rejections.filter((r) => r.rule === "storage-conflict").map((r) => r.app));
        for (const a of p2.actions) expect(waited.has(a.app), describe2(a.app, p1, p2)).toBe(true);
        const p3 = plan(desired, applyPlan(s1, p2.actions), options);
        const p4 = plan(desired, applyPlan(applyPlan(s1, p2.actions), p3.actions), options);
        expect(p4.actions).toEqual([]);
        if (waited.size === 0) expect(p2.actions).toEqual([]);
      }),
      RUNS,
    );
  });

  it("never makes two apps share storage: no two services get one volume, or nested or equal host paths", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const before = new Map(
          observed.services.map((s) => [s.name, new Set(s.fields.mounts.map(mountKey))]),
        );
        const p = plan(desired, observed, options);
        const after = applyPlan(observed, p.actions).services.filter((s) => isManagedBy(s, options.instance));
        for (const [i, s] of after.entries()) {
          for (const t of after.slice(i + 1)) {
            for (const m of s.fields.mounts.map(mountKey)) {
              for (const n of t.fields.mounts.map(mountKey)) {
                if (!sharesStorage(m, n)) continue;
                // Only two services that already held them before this plan (it cannot undo that).
                const held = before.get(s.name)?.has(m) === true && before.get(t.name)?.has(n) === true;
                expect(held, `${s.name} ${m} and ${t.name} ${n}: ${JSON.stringify(p.actions)}`).toBe(true);
              }
            }
          }
        }
      }),
      RUNS,
    );
  });
});

/** Two storage keys that are one place, or two host directories one inside the other. */
function sharesStorage(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.startsWith("host:") || !b.startsWith("host:")) return false;
  const [x, y] = [a.slice(5), b.slice(5)];
  return isUnder(x, y) || isUnder(y, x);
}

function describe2(app: string, p1: Plan, p2: Plan): string {
  return `second pass acted on ${app}: ${JSON.stringify({ first: p1.actions, rejections: p1.rejections, second: p2.actions })}`;
}
