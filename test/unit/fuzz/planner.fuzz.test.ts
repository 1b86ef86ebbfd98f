import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import type { DesiredState } from "../../../src/manifest/types.js";
import { plan } from "../../../src/reconcile/plan.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import { isManagedBy } from "../../../src/reconcile/managed.js";
import type { Plan, PlanOptions } from "../../../src/reconcile/types.js";
import type {
  ObservedNode,
  ObservedService,
  ObservedState,
  ObservedTask,
  PinRecord,
  ServiceFields,
} from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";

/*
 * properties.test.ts checks the planner's rules over well-formed worlds built from the builders.
 * This file checks robustness instead: the desired side comes from parsing generated manifest
 * text (valid and invalid documents, as the loader produces them), and the observed side is what
 * a shared, hand-edited Swarm can really hold — garbage in our labels (a hash that is not one, a
 * pin label naming no node, `alacrity.persistent: maybe`), global services, services with
 * constraints and mounts nobody planned, tasks in any state, nodes in any state, pin records of
 * apps that do not exist. On any such pair, plan() and summarizeStatus() must return, not throw.
 */

const NAMES = ["a", "b", "c-1", "d"];
const RUNS = { numRuns: 300 };
const TIMEOUT = 60_000;

const junk = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom("", "true", "false", "maybe", "default", "t-x", "node.id==", "==", "a.yaml", "sha256:zz"),
);

const labelsArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(...Object.values(LABEL), "team", "com.docker.stack.namespace", "x"),
  junk,
  { maxKeys: 8 },
);

const manifestTextArb = (name: string): fc.Arbitrary<string> =>
  fc
    .record({
      persistent: fc.boolean(),
      replicas: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant("two")),
      node: fc.option(fc.constantFrom("n1", "id-n2", "ghost"), { nil: undefined }),
      volumes: fc.subarray([
        { name: "shared", containerPath: "/data" },
        { hostPath: "/srv/shared", containerPath: "/srv" },
        { hostPath: "/etc", containerPath: "/host-etc" },
        { hostPath: "/var/run/docker.sock", containerPath: "/sock" },
      ]),
      env: fc.dictionary(
        fc.constantFrom("A", "PASSWORD"),
        fc.string({ maxLength: 6 }).map((s) => `S3CR3T${s}`),
        { maxKeys: 2 },
      ),
      published: fc.option(fc.constantFrom(8080, 8081), { nil: undefined }),
      annotations: fc.subarray(["alacrity.dev/allow-move", "alacrity.dev/allow-drop-persistence"]),
    })
    .map((r) =>
      stringify({
        apiVersion: "alacrity.dev/v1",
        kind: "App",
        metadata: {
          name,
          annotations: Object.fromEntries(r.annotations.map((a) => [a, "true"])),
        },
        spec: {
          image: "img:1",
          persistent: r.persistent,
          replicas: r.replicas,
          ...(r.node ? { node: r.node } : {}),
          env: r.env,
          ...(r.published ? { ports: [{ target: 80, published: r.published }] } : {}),
          ...(r.volumes.length ? { volumes: r.volumes } : {}),
        },
      }),
    );

/** Parses generated files the way loadDirectory assembles them (first definition of a name wins). */
const desiredArb: fc.Arbitrary<DesiredState> = fc
  .array(fc.tuple(fc.constantFrom("one.yaml", "two.yaml", "sub/three.yaml"), fc.constantFrom(...NAMES)), {
    maxLength: 5,
  })
  .chain((entries) =>
    fc.tuple(fc.constant(entries), fc.tuple(...entries.map(([, name]) => manifestTextArb(name)))),
  )
  .map(([entries, texts]) => {
    const byFile = new Map<string, string[]>();
    entries.forEach(([file], i) => byFile.set(file, [...(byFile.get(file) ?? []), texts[i]!]));
    const desired: DesiredState = {
      apps: new Map(),
      invalid: [],
      errors: [],
      failedFiles: new Set(),
      fileCount: byFile.size,
      missing: false,
    };
    for (const [file, docs] of byFile) {
      const parsed = parseManifest(docs.join("---\n"), file);
      for (const app of parsed.apps) if (!desired.apps.has(app.name)) desired.apps.set(app.name, app);
      desired.invalid.push(...parsed.invalid);
      desired.errors.push(...parsed.errors);
      if (parsed.errors.length > 0) desired.failedFiles.add(file);
    }
    return desired;
  });

const nodeArb: fc.Arbitrary<ObservedNode> = fc.record({
  id: fc.constantFrom("id-n1", "id-n2", "id-n3"),
  hostname: fc.constantFrom("n1", "n2", "n1", ""),
  state: fc.constantFrom("ready", "down", "unknown", "disconnected", ""),
  availability: fc.constantFrom("active", "pause", "drain", "weird"),
  role: fc.constantFrom("manager" as const, "worker" as const),
  labels: fc.constant({}),
});

const fieldsArb: fc.Arbitrary<ServiceFields> = fc.record({
  image: fc.constantFrom("img:1", "img:2", ""),
  command: fc.option(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), { nil: undefined }),
  args: fc.option(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), { nil: undefined }),
  env: fc.dictionary(fc.constantFrom("A", "PASSWORD", ""), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
  ports: fc.array(
    fc.record(
      {
        target: fc.integer({ min: 0, max: 70000 }),
        published: fc.integer({ min: 0, max: 70000 }),
        protocol: fc.constantFrom("tcp" as const, "udp" as const),
      },
      { requiredKeys: ["target", "protocol"] },
    ),
    { maxLength: 2 },
  ),
  mounts: fc.array(
    fc.record({
      kind: fc.constantFrom("named" as const, "host" as const),
      source: fc.constantFrom("alacran--shared", "/srv/shared", "/srv/shared/", "", "other"),
      target: fc.constantFrom("/data", "/srv", ""),
      readOnly: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
  constraints: fc.array(fc.constantFrom("node.id==id-n1", "node.id==gone", "node.hostname==n2", "garbage"), {
    maxLength: 2,
  }),
  labels: labelsArb,
  replicas: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5 })),
  updateOrder: fc.constantFrom("stop-first" as const, "start-first" as const),
  maxReplicasPerNode: fc.integer({ min: 0, max: 3 }),
});

const serviceArb = (name: string): fc.Arbitrary<ObservedService> =>
  fc
    .record({ fields: fieldsArb, version: fc.integer({ min: 0, max: 1000 }), managed: fc.boolean() })
    .map(({ fields, version, managed }) => {
      // Half of them are ours (managed by this instance) with whatever else is in their labels.
      if (managed) {
        fields.labels[LABEL.managed] = "true";
        fields.labels[LABEL.app] ??= name;
        fields.labels[LABEL.instance] = "default";
      }
      return {
        id: `svc-${name}`,
        name,
        serviceName: name,
        version,
        fields,
        rawSpec: {},
        createdAt: "2024-01-01T00:00:00Z",
        updatedAt: "",
      };
    });

const taskArb = (serviceIds: string[]): fc.Arbitrary<ObservedTask> =>
  fc.record({
    id: fc.uuid(),
    serviceId: fc.constantFrom(...serviceIds, "svc-gone"),
    nodeId: fc.option(fc.constantFrom("id-n1", "id-n2", "id-gone"), { nil: undefined }),
    slot: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    desiredState: fc.constantFrom("running", "shutdown", "accepted", "remove"),
    state: fc.constantFrom("new", "pending", "running", "failed", "rejected", "complete", "orphaned", "?"),
    message: fc.string({ maxLength: 10 }),
    error: fc.option(fc.constantFrom("bind source path does not exist: /srv/x", ""), { nil: undefined }),
    timestamp: fc.constantFrom("2024-01-01T00:00:00Z", "not a date", ""),
  });

const observedArb: fc.Arbitrary<ObservedState> = fc
  .record({
    nodes: fc.uniqueArray(nodeArb, { selector: (n) => n.id, maxLength: 3 }),
    services: fc.subarray([...NAMES, "stranger"]).chain((names) => fc.tuple(...names.map(serviceArb))),
    pins: fc.array(
      fc.record({
        app: fc.constantFrom(...NAMES, "gone-app"),
        nodeId: fc.constantFrom("id-n1", "id-n2", "id-gone", ""),
        hostname: fc.constantFrom("n1", "n2", ""),
        configId: fc.constantFrom("cfg-1", "cfg-2", "cfg-3"),
      }) as fc.Arbitrary<PinRecord>,
      { maxLength: 4 },
    ),
    volumes: fc.array(fc.record({ name: fc.constantFrom("alacran--shared", "x"), labels: labelsArb }), {
      maxLength: 2,
    }),
  })
  .chain((r) =>
    fc
      .array(taskArb(r.services.map((s) => s.id).concat("svc-x")), { maxLength: 6 })
      .map((tasks) => ({ ...r, tasks })),
  );

const optionsArb: fc.Arbitrary<PlanOptions> = fc.record({
  allowEmpty: fc.boolean(),
  allowMassPrune: fc.boolean(),
  instance: fc.constantFrom("default", "other"),
});

/** How many runs held each of the cases that matter most, counted by `countCases`. */
const seen = {
  "a persistent app asking for more than one replica": 0,
  "an unmanaged or another instance's service": 0,
  "a removal (planned or held back)": 0,
};

function countCases(desired: DesiredState, observed: ObservedState, options: PlanOptions, p: Plan): void {
  // Refused by the schema's rule: the app is invalid, not in `apps`.
  if (desired.errors.some((e) => e.message.includes("persistent app cannot have more than 1 replica")))
    seen["a persistent app asking for more than one replica"]++;
  if (observed.services.some((s) => !isManagedBy(s, options.instance)))
    seen["an unmanaged or another instance's service"]++;
  if ([...p.actions, ...p.heldBack].some((a) => a.kind === "remove"))
    seen["a removal (planned or held back)"]++;
}

describe("fuzz: the planner and the status summary never throw", () => {
  it(
    "on any parsed desired state against any hostile observed state",
    () => {
      fc.assert(
        fc.property(desiredArb, observedArb, optionsArb, (desired, observed, options) => {
          const p = plan(desired, observed, options);
          // It did plan: every action names an app, and no app is both acted on and rejected.
          const rejected = new Set(p.rejections.map((r) => r.app));
          for (const a of p.actions) {
            expect(typeof a.app).toBe("string");
            expect(rejected.has(a.app)).toBe(false);
          }
          countCases(desired, observed, options, p);
          const rows = summarizeStatus(observed, desired, p, { instance: options.instance });
          expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
          // A plan serialises (the CLI prints it as JSON) and never carries an env value.
          expect(JSON.stringify(p)).not.toContain("S3CR3T");
          expect(JSON.stringify(rows)).not.toContain("S3CR3T");
        }),
        RUNS,
      );
      // Each in at least 5% of the runs, so "never throws" was checked on such worlds.
      for (const [what, runs] of Object.entries(seen))
        expect(runs, what).toBeGreaterThanOrEqual(RUNS.numRuns * 0.05);
    },
    TIMEOUT,
  );
});
