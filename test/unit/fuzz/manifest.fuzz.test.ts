import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Document, parse, stringify } from "yaml";
import { decodeManifest } from "../../../src/manifest/decodeManifest.js";
import { KNOWN_KEYS } from "../../../src/manifest/schema.js";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import type { ManifestError, ParsedManifest } from "../../../src/manifest/index.js";

/*
 * Property-based fuzzing of the manifest layer. The fixture corpus and hostile.test.ts pin exact
 * messages for known cases; these properties cover the space between them: any valid manifest in
 * any YAML style validates, and any mutation of one (a field removed, renamed, mistyped, random
 * bytes) gives either a valid result or errors with a real position, and never an exception.
 */

const FILE = "apps/fuzz.yaml";
const RUNS = { numRuns: 300 };
/** fast-check runs hundreds of cases per test; the shared machine is slow, so allow a minute. */
const TIMEOUT = 60_000;

const lower = "abcdefghijklmnopqrstuvwxyz0123456789";
const nameArb = fc
  .tuple(
    fc.constantFrom(...lower),
    fc.string({ unit: fc.constantFrom(...`${lower}-`), maxLength: 20 }),
    fc.constantFrom(...lower),
  )
  .map(([a, mid, z]) => (mid.length === 0 ? a : `${a}${mid}${z}`));

const imageArb = fc
  .tuple(
    fc.option(fc.constantFrom("registry.local:5000/", "ghcr.io/team/"), { nil: undefined }),
    fc.constantFrom("busybox", "postgres", "my-app", "a_b", "x.y"),
    fc.option(fc.constantFrom(":1", ":16-alpine", ":latest", ":v1.2.3"), { nil: undefined }),
  )
  .map(([host, path, tag]) => `${host ?? ""}${path}${tag ?? ""}`);

const keyArb = fc
  .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_0123456789.-/"), minLength: 1 })
  .filter(
    (k) =>
      !k.startsWith("alacrity.") && !k.startsWith("com.docker.") && !k.includes("=") && k !== "__proto__",
  );

/** Env names as the schema takes them: [A-Za-z_][A-Za-z0-9_]*. */
const envKeyArb = fc
  .tuple(
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_"),
    fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_0123456789") }),
  )
  .map(([first, rest]) => `${first}${rest}`)
  .filter((k) => k !== "__proto__");

// Values that YAML would read back as something else (numbers, booleans, null) are fine: the
// serialiser quotes them, which is exactly what a careful user writes.
const valueArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("true", "5432", "null", "", "a: b", "#x"),
);

const segmentArb = fc.constantFrom("data", "srv", "var-x", "uploads", "a.b", "x_1");
const absPathArb = fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`);

/** Durations as people write them: some of h, m, s, ms (a bare "0" too). */
const durationArb = fc.oneof(
  fc.constant("0"),
  fc
    .record(
      {
        h: fc.integer({ min: 0, max: 48 }),
        m: fc.integer({ min: 0, max: 90 }),
        s: fc.integer({ min: 0, max: 90 }),
        ms: fc.integer({ min: 0, max: 999 }),
      },
      { requiredKeys: [] },
    )
    .filter((parts) => Object.keys(parts).length > 0)
    .map((parts) =>
      (["h", "m", "s", "ms"] as const)
        .filter((unit) => parts[unit] !== undefined)
        .map((unit) => `${parts[unit]}${unit}`)
        .join(""),
    ),
);
/** A probe's durations: Docker takes none under 1ms. */
const probeDurationArb = durationArb.filter((d) => expectedNs(d) >= 1_000_000);

/** The oracle for the generated durations, independent of the parser's own reading. */
function expectedNs(text: string): number {
  const ns = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6 };
  let total = 0;
  for (const [, amount = "0", unit = "s"] of text.matchAll(/(\d+)(ms|h|m|s)/g))
    total += Number(amount) * ns[unit as keyof typeof ns];
  return total;
}

const policyArb = (failureActions: string[]) =>
  fc.record(
    {
      parallelism: fc.integer({ min: 0, max: 10 }),
      delay: durationArb,
      failureAction: fc.constantFrom(...failureActions),
      monitor: durationArb,
      maxFailureRatio: fc.constantFrom(0, 0.25, 0.5, 1),
      order: fc.constantFrom("stop-first", "start-first"),
    },
    { requiredKeys: [] },
  );

/** spec fields of issue 17; the ones a persistent app may not have are dropped for it. */
const deployArb = fc.record(
  {
    healthcheck: fc.oneof(
      fc.constant("none"),
      fc.record(
        {
          test: fc.oneof(
            fc.constantFrom("pg_isready -U postgres", "wget -q -O- http://localhost/ || exit 1"),
            fc
              .array(fc.constantFrom("-q", "localhost", "--fail", "5"), { maxLength: 3 })
              .map((a) => ["CMD", "wget", ...a]),
            fc.constant(["CMD-SHELL", "test -f /tmp/ready"]),
          ),
          interval: probeDurationArb,
          timeout: probeDurationArb,
          retries: fc.integer({ min: 1, max: 10 }),
          startPeriod: probeDurationArb,
        },
        { requiredKeys: ["test"] },
      ),
    ),
    update: policyArb(["rollback", "pause", "continue"]),
    rollback: policyArb(["pause", "continue"]),
    restart: fc.record(
      {
        condition: fc.constantFrom("any", "on-failure", "none"),
        delay: durationArb,
        maxAttempts: fc.integer({ min: 0, max: 10 }),
        window: durationArb,
      },
      { requiredKeys: [] },
    ),
    stopGracePeriod: durationArb,
    mode: fc.constantFrom("replicated", "global"),
    placement: fc.record(
      {
        constraints: fc.array(
          fc.constantFrom(
            "node.role==worker",
            "node.role != manager",
            "node.labels.zone==eu",
            "engine.labels.disk!=hdd",
          ),
          { maxLength: 3 },
        ),
        preferences: fc.array(
          fc.constantFrom("node.labels.zone", "engine.labels.rack").map((spread) => ({ spread })),
          { maxLength: 2 },
        ),
        maxReplicasPerNode: fc.integer({ min: 1, max: 5 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

type GeneratedDeploy = typeof deployArb extends fc.Arbitrary<infer T> ? T : never;

/** The new fields as a persistent or a global app may have them (every rule kept). */
function allowedDeploy(deploy: GeneratedDeploy, persistent: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...deploy };
  if (persistent) {
    delete out.placement;
    if (deploy.mode === "global") delete out.mode;
    for (const field of ["update", "rollback"] as const) {
      const policy = deploy[field];
      if (policy?.order === "start-first") out[field] = { ...policy, order: "stop-first" };
    }
  } else if (deploy.mode === "global" && deploy.placement?.maxReplicasPerNode !== undefined) {
    const { maxReplicasPerNode: _, ...placement } = deploy.placement;
    out.placement = placement;
  }
  return out;
}

/** What parseManifest must read out of the generated new fields (absent ones stay absent). */
function expectedDeploy(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ns = (value: unknown) => expectedNs(String(value));
  const renamed = (value: unknown, durations: Record<string, string>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, v]): [string, unknown] =>
        key in durations ? [durations[key] ?? key, ns(v)] : [key, v],
      ),
    );
  const hc = spec.healthcheck as { test: string | string[] } | "none" | undefined;
  if (hc === "none") out.healthcheck = { test: ["NONE"] };
  else if (hc !== undefined)
    out.healthcheck = {
      ...renamed(hc, { interval: "intervalNs", timeout: "timeoutNs", startPeriod: "startPeriodNs" }),
      test: typeof hc.test === "string" ? ["CMD-SHELL", hc.test] : hc.test,
    };
  for (const field of ["update", "rollback"])
    if (spec[field] !== undefined)
      out[field] = renamed(spec[field], { delay: "delayNs", monitor: "monitorNs" });
  if (spec.restart !== undefined)
    out.restart = renamed(spec.restart, { delay: "delayNs", window: "windowNs" });
  if (spec.stopGracePeriod !== undefined) out.stopGracePeriodNs = ns(spec.stopGracePeriod);
  if (spec.mode !== undefined) out.mode = spec.mode;
  const placement = spec.placement as
    { constraints?: string[]; preferences?: { spread: string }[]; maxReplicasPerNode?: number } | undefined;
  if (placement !== undefined)
    out.placement = {
      constraints: placement.constraints ?? [],
      preferences: (placement.preferences ?? []).map((p) => p.spread),
      ...(placement.maxReplicasPerNode !== undefined
        ? { maxReplicasPerNode: placement.maxReplicasPerNode }
        : {}),
    };
  return out;
}

const DEPLOY_KEYS = [
  "healthcheck",
  "update",
  "rollback",
  "restart",
  "stopGracePeriodNs",
  "mode",
  "placement",
] as const;

interface GeneratedManifest {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

const manifestArb: fc.Arbitrary<GeneratedManifest> = fc
  .record({
    name: nameArb,
    labels: fc.option(fc.dictionary(keyArb, valueArb, { maxKeys: 4 }), { nil: undefined }),
    annotations: fc.option(
      fc.dictionary(
        fc.constantFrom("alacrity.dev/allow-move", "team/owner", "x"),
        fc.constantFrom("true", "false"),
      ),
      { nil: undefined },
    ),
    image: imageArb,
    persistent: fc.option(fc.boolean(), { nil: undefined }),
    replicas: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    node: fc.option(fc.constantFrom("worker-2", "n1", "abc123"), { nil: undefined }),
    command: fc.option(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), { nil: undefined }),
    args: fc.option(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), { nil: undefined }),
    env: fc.option(fc.dictionary(envKeyArb, valueArb, { maxKeys: 5 }), { nil: undefined }),
    ports: fc.option(
      fc.uniqueArray(
        fc.record(
          {
            target: fc.integer({ min: 1, max: 65535 }),
            published: fc.integer({ min: 1, max: 65535 }),
            protocol: fc.constantFrom("tcp", "udp"),
          },
          { requiredKeys: ["target"] },
        ),
        {
          selector: (p) => (p.published === undefined ? Symbol() : `${p.published}/${p.protocol ?? "tcp"}`),
          maxLength: 3,
        },
      ),
      { nil: undefined },
    ),
    volumes: fc.uniqueArray(
      fc.record({
        source: fc.oneof(
          fc.record({ name: fc.constantFrom("data", "db-data", "v_1", "x.y") }),
          fc.record({ hostPath: absPathArb }),
        ),
        containerPath: absPathArb,
        readOnly: fc.option(fc.boolean(), { nil: undefined }),
      }),
      { selector: (v) => v.containerPath, maxLength: 3 },
    ),
    resources: fc.option(
      fc.record({
        // [limit, reservation] in hundredths of a CPU and in MiB: a reservation never above its limit.
        cpus: fc
          .integer({ min: 1, max: 800 })
          .chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 1, max: c }))),
        mebibytes: fc
          .integer({ min: 6, max: 4096 })
          .chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 1, max: m }))),
        unit: fc.constantFrom("M", "m", "Mi", "MiB", "MB", " M", "bytes"),
        parts: fc.subarray(["limits.cpus", "limits.memory", "reservations.cpus", "reservations.memory"]),
      }),
      { nil: undefined },
    ),
    deploy: deployArb,
  })
  .map((r) => {
    const persistent = r.persistent === true || r.volumes.length > 0 || r.node !== undefined;
    const spec: Record<string, unknown> = { image: r.image };
    if (persistent) spec.persistent = true;
    else if (r.persistent !== undefined) spec.persistent = r.persistent;
    const global = r.deploy.mode === "global" && !persistent;
    if (global) {
      // A global app takes no replica count.
    } else if (r.replicas !== undefined) spec.replicas = persistent ? r.replicas % 2 : r.replicas;
    else if (persistent) spec.replicas = 1;
    if (persistent && r.node !== undefined) spec.node = r.node;
    if (r.command) spec.command = r.command;
    if (r.args) spec.args = r.args;
    if (r.env) spec.env = r.env;
    if (r.ports) spec.ports = r.ports;
    if (persistent && r.volumes.length > 0) {
      spec.volumes = r.volumes.map((v) => ({
        ...v.source,
        containerPath: v.containerPath,
        ...(v.readOnly === undefined ? {} : { readOnly: v.readOnly }),
      }));
    }
    if (r.resources) spec.resources = resourcesOf(r.resources);
    Object.assign(spec, allowedDeploy(r.deploy, persistent));
    const metadata: Record<string, unknown> = { name: r.name };
    if (r.labels) metadata.labels = r.labels;
    if (r.annotations) metadata.annotations = r.annotations;
    return { apiVersion: "alacrity.dev/v1", kind: "App", metadata, spec };
  });

interface GeneratedResources {
  cpus: [number, number];
  mebibytes: [number, number];
  unit: string;
  parts: string[];
}

/** `spec.resources` with the chosen parts, memory written in the chosen unit. */
function resourcesOf(r: GeneratedResources): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const part of r.parts) {
    const [kind = "", field = ""] = part.split(".");
    const i = kind === "limits" ? 0 : 1;
    const value =
      field === "cpus"
        ? r.cpus[i] / 100
        : r.unit === "bytes"
          ? r.mebibytes[i] * 1024 ** 2
          : `${r.mebibytes[i]}${r.unit}`;
    out[kind] = { ...out[kind], [field]: value };
  }
  return out;
}

/** What parseManifest must read out of a generated `spec.resources`, in Swarm's units. */
function expectedResources(
  form: Record<string, { cpus?: number; memory?: number | string }> | undefined,
): unknown {
  const out: Record<string, Record<string, number>> = {};
  for (const [kind, amounts] of Object.entries(form ?? {})) {
    const expected: Record<string, number> = {};
    // Generated CPUs are whole hundredths, memory whole MiB.
    if (amounts.cpus !== undefined) expected.nanoCpus = Math.round(amounts.cpus * 100) * 10_000_000;
    if (amounts.memory !== undefined) {
      expected.memoryBytes =
        typeof amounts.memory === "number" ? amounts.memory : parseInt(amounts.memory.trim(), 10) * 1024 ** 2;
    }
    if (Object.keys(expected).length > 0) out[kind] = expected;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The same manifest in different YAML styles: block, flow, comments, document markers. */
interface Style {
  flow: boolean;
  comment: boolean;
  marker: boolean;
  indent: number;
}
const styleArb: fc.Arbitrary<Style> = fc.record({
  flow: fc.boolean(),
  comment: fc.boolean(),
  marker: fc.boolean(),
  indent: fc.constantFrom(2, 4),
});

function toYaml(doc: unknown, style: Style): string {
  const d = new Document(doc);
  if (style.flow) {
    // Only the spec is written in flow style, as users do for short maps.
    const spec = d.get("spec", true) as { flow?: boolean } | undefined;
    if (spec) spec.flow = true;
  }
  if (style.comment) d.commentBefore = " a comment line";
  const text = d.toString({ indent: style.indent });
  return style.marker ? `---\n${text}` : text;
}

/*
 * Parsing must never write anything itself (the yaml library can print warnings quoting the file,
 * secrets included, as raw lines on stderr); every case of every property is checked.
 */
let emitWarning = vi.spyOn(process, "emitWarning");
beforeEach(() => {
  emitWarning = vi.spyOn(process, "emitWarning");
});
afterEach(() => {
  expect(emitWarning).not.toHaveBeenCalled();
  emitWarning.mockRestore();
});

function expectPositioned(errors: readonly ManifestError[], text: string): void {
  const lines = text.split("\n").length;
  for (const e of errors) {
    expect(e.file).toBe(FILE);
    expect(Number.isInteger(e.line) && e.line >= 1, JSON.stringify(e)).toBe(true);
    expect(Number.isInteger(e.col) && e.col >= 1, JSON.stringify(e)).toBe(true);
    expect(e.line, JSON.stringify(e)).toBeLessThanOrEqual(lines + 1);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

/** A parse that may not throw; its outcome must be all-valid or carry positioned errors. */
function parseSafely(text: string): ParsedManifest {
  let parsed: ParsedManifest | undefined;
  expect(() => {
    parsed = parseManifest(text, FILE);
  }).not.toThrow();
  const result = parsed!;
  expectPositioned(result.errors, text);
  // Either something valid came out or something was reported: nothing is silently dropped.
  expect(result.apps.length + result.errors.length).toBeGreaterThan(0);
  if (result.errors.length === 0) expect(result.invalid).toEqual([]);
  for (const inv of result.invalid) {
    expect(inv.errors.length).toBeGreaterThan(0);
    expectPositioned(inv.errors, text);
  }
  return result;
}

describe("fuzz: parsing writes nothing outside the error list", () => {
  it("a map used as a key (which could quote an env value) gives no process warning", () => {
    const text =
      "apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: x}\nspec:\n  image: busybox\n  env:\n    ? {PASSWORD: S3CR3T-1}\n    : x\n";
    parseSafely(text);
    expect(emitWarning).not.toHaveBeenCalled();
  });
});

describe("fuzz: valid manifests always validate", () => {
  it(
    "in any YAML style, one or several per file, with the values read back exactly",
    () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(manifestArb, { minLength: 1, maxLength: 3, selector: (m) => m.metadata.name }),
          styleArb,
          (docs, style) => {
            const text = docs.map((d) => toYaml(d, style)).join(style.marker ? "" : "---\n");
            const parsed = parseManifest(text, FILE);
            expect(parsed.errors, text).toEqual([]);
            expect(parsed.apps.map((a) => a.name)).toEqual(docs.map((d) => d.metadata.name));
            for (const [i, app] of parsed.apps.entries()) {
              const spec = docs[i]!.spec;
              expect(app.image).toBe(spec.image);
              expect(app.env).toEqual(spec.env ?? {});
              expect(app.replicas).toBe(spec.replicas ?? 1);
              expect(app.persistent).toBe(spec.persistent ?? false);
              expect(app.volumes.length).toBe((spec.volumes as unknown[] | undefined)?.length ?? 0);
              expect(app.resources).toEqual(expectedResources(spec.resources as never));
              const deploy = Object.fromEntries(
                DEPLOY_KEYS.filter((k) => app[k] !== undefined).map((k) => [k, app[k]]),
              );
              expect(deploy).toEqual(expectedDeploy(spec));
              expect(app.source.line).toBeGreaterThanOrEqual(1);
              for (const pos of Object.values(app.positions))
                expectPositioned([{ ...pos, path: "", message: "x" }], text);
            }
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});

type Path = (string | number)[];

/** Every path to a map key in the document (the things a user can remove, rename or mistype). */
function keyPaths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, [...prefix, i]));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
  }
  return [];
}

function parentOf(root: unknown, path: Path): Record<string, unknown> {
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  return node;
}

/** A required field is missing, or a field name is unknown (values are not judged here). */
function certainlyInvalid(doc: unknown): boolean {
  const root = doc as Record<string, unknown>;
  const known = (obj: unknown, keys: readonly string[]): boolean =>
    typeof obj !== "object" ||
    obj === null ||
    Array.isArray(obj) ||
    Object.keys(obj).every((k) => keys.includes(k));
  const metadata = root.metadata as Record<string, unknown> | undefined;
  const spec = root.spec as Record<string, unknown> | undefined;
  if (!("apiVersion" in root && "kind" in root && metadata && spec)) return true;
  if (typeof metadata !== "object" || typeof spec !== "object") return false;
  if (!("name" in metadata) || !("image" in spec)) return true;
  if (!known(root, KNOWN_KEYS.root) || !known(metadata, KNOWN_KEYS.metadata) || !known(spec, KNOWN_KEYS.spec))
    return true;
  const items = (list: unknown): unknown[] => (Array.isArray(list) ? list : []);
  return (
    items(spec.ports).some((p) => !known(p, KNOWN_KEYS.port)) ||
    items(spec.volumes).some((v) => !known(v, KNOWN_KEYS.volume)) ||
    !known(spec.healthcheck, KNOWN_KEYS.healthcheck) ||
    !known(spec.update, KNOWN_KEYS.updatePolicy) ||
    !known(spec.rollback, KNOWN_KEYS.updatePolicy) ||
    !known(spec.restart, KNOWN_KEYS.restartPolicy) ||
    !known(spec.placement, KNOWN_KEYS.placement)
  );
}

type Mutation =
  | { kind: "remove"; pick: number }
  | { kind: "rename"; pick: number; to: string }
  | { kind: "typo"; pick: number; at: number; ch: string }
  | { kind: "retype"; pick: number; value: unknown };

const wrongValueArb = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 6 }),
    fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
    {
      maxKeys: 3,
    },
  ),
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant("rename" as const),
    pick: fc.nat(),
    to: fc.string({
      unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzXYZ_"),
      minLength: 1,
      maxLength: 12,
    }),
  }),
  fc.record({
    kind: fc.constant("typo" as const),
    pick: fc.nat(),
    at: fc.nat(),
    ch: fc.constantFrom("x", "_", "Q", ""),
  }),
  fc.record({ kind: fc.constant("retype" as const), pick: fc.nat(), value: wrongValueArb }),
);

/** Applies a mutation in place; returns the mutated path's dotted form. */
function mutate(doc: unknown, m: Mutation): { field: string } {
  const paths = keyPaths(doc);
  const path = paths[m.pick % Math.max(1, paths.length)];
  if (path === undefined) return { field: "" };
  const parent = parentOf(doc, path);
  const key = path[path.length - 1] as string;
  const dotted = path.filter((p) => typeof p === "string").join(".");
  if (m.kind === "remove") {
    delete parent[key];
    return { field: dotted };
  }
  if (m.kind === "rename" || m.kind === "typo") {
    const to =
      m.kind === "rename"
        ? m.to
        : key.slice(0, m.at % (key.length + 1)) +
          m.ch +
          key.slice((m.at % (key.length + 1)) + (m.ch ? 0 : 1));
    if (to === key || to in parent || to === "") return { field: dotted };
    parent[to] = parent[key];
    delete parent[key];
    return { field: dotted };
  }
  parent[key] = m.value;
  return { field: dotted };
}

describe("fuzz: mutated manifests give positioned errors, never an exception", () => {
  it(
    "a field removed, renamed, mistyped or given a wrong type",
    () => {
      fc.assert(
        fc.property(
          manifestArb,
          fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
          styleArb,
          (generated, mutations, style) => {
            // fast-check reuses generated values while shrinking: never mutate them in place.
            const doc = structuredClone(generated);
            const fields: string[] = [];
            for (const m of mutations) fields.push(mutate(doc, m).field);
            // Judged on the final document as written to YAML (what the parser sees): a later
            // mutation may undo an earlier one, and the YAML writer may drop what it cannot express.
            const text = toYaml(doc, style);
            const mustFail = certainlyInvalid(parse(text.replace(/^---\n/, "")) ?? {});
            const parsed = parseSafely(text);
            if (mustFail) expect(parsed.errors.length, `${fields.join(", ")}\n${text}`).toBeGreaterThan(0);
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "random text inserted, deleted or lines shuffled",
    () => {
      const edit = fc.oneof(
        fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
        fc.record({
          kind: fc.constant("insert" as const),
          at: fc.nat(),
          text: fc.constantFrom(
            ":",
            "- ",
            "&a ",
            "*a",
            "!!binary ",
            "{",
            "]",
            "\t",
            "'",
            '"',
            "\n  ",
            "? ",
            "%YAML 1.1\n",
            "---\n",
            "...\n",
            "<<: *a\n",
          ),
        }),
        fc.record({
          kind: fc.constant("delete" as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 10 }),
        }),
        fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
      );
      fc.assert(
        fc.property(
          manifestArb,
          styleArb,
          fc.array(edit, { minLength: 1, maxLength: 4 }),
          (doc, style, edits) => {
            let text = toYaml(doc, style);
            for (const e of edits) {
              if (e.kind === "insert") {
                const at = e.at % (text.length + 1);
                text = text.slice(0, at) + e.text + text.slice(at);
              } else if (e.kind === "delete") {
                const at = e.at % (text.length + 1);
                text = text.slice(0, at) + text.slice(at + e.length);
              } else {
                const lines = text.split("\n");
                const a = e.a % lines.length;
                const b = e.b % lines.length;
                [lines[a], lines[b]] = [lines[b]!, lines[a]!];
                text = lines.join("\n");
              }
            }
            parseSafely(text);
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "random bytes inserted into the file (binary, invalid UTF-8) go through decode and parse",
    () => {
      fc.assert(
        fc.property(
          manifestArb,
          fc.array(fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }), {
            minLength: 1,
            maxLength: 3,
          }),
          (doc, inserts) => {
            let bytes = new TextEncoder().encode(stringify(doc));
            for (const ins of inserts) {
              const at = ins.at % (bytes.length + 1);
              const next = new Uint8Array(bytes.length + ins.bytes.length);
              next.set(bytes.subarray(0, at), 0);
              next.set(ins.bytes, at);
              next.set(bytes.subarray(at), at + ins.bytes.length);
              bytes = next;
            }
            let decoded: ReturnType<typeof decodeManifest> | undefined;
            expect(() => {
              decoded = decodeManifest(bytes, FILE);
            }).not.toThrow();
            if ("error" in decoded!) {
              const text = new TextDecoder("utf-8").decode(bytes);
              expectPositioned([decoded.error], text);
            } else {
              parseSafely(decoded!.text);
            }
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
