import { describe, expect, it } from "vitest";
import { formatError } from "../../../src/manifest/types.js";
import type { AppSpec, DesiredState } from "../../../src/manifest/types.js";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import { plan } from "../../../src/reconcile/plan.js";
import { DUPLICATE_APP_NAMES } from "../../../src/manifest/duplicates.js";
import { INVALID_MANIFEST, KEEP_FAILED_FILES } from "../../../src/rules/invalidFiles.js";
import { EMPTY_DIRECTORY_GUARD, MASS_PRUNE_GUARD } from "../../../src/rules/pruneGuards.js";
import { firstRejection, policyErrors, RULES } from "../../../src/rules/registry.js";
import { aSwarm, desiredOf, OPTIONS, orphanService } from "../reconcile/builders.js";

/**
 * One manifest with a fixed layout, so a valid and an invalid variant put every field on the
 * same line and column: the loader's error and the planner's rejection must then agree exactly.
 */
function manifest(over: {
  persistent?: boolean;
  /** null: no replicas line (a global app must not have one). */
  replicas?: number | null;
  node?: string;
  volumes?: string[];
  ports?: string[];
  resources?: string;
  /** Further spec lines, with their indentation. */
  lines?: string[];
}): string {
  const lines = [
    "apiVersion: alacrity.dev/v1",
    "kind: App",
    "metadata: {name: db}",
    "spec:",
    "  image: postgres:16",
    `  persistent: ${over.persistent ?? true}`,
  ];
  if (over.replicas !== null) lines.push(`  replicas: ${over.replicas ?? 1}`);
  if (over.node !== undefined) lines.push(`  node: ${over.node}`);
  if (over.volumes) lines.push("  volumes:", ...over.volumes.map((v) => `    - ${v}`));
  if (over.ports) lines.push("  ports:", ...over.ports.map((p) => `    - ${p}`));
  if (over.resources) lines.push(`  resources: ${over.resources}`);
  if (over.lines) lines.push(...over.lines);
  return `${lines.join("\n")}\n`;
}

const parsedApp = (text: string): AppSpec => {
  const parsed = parseManifest(text, "db.yaml");
  expect(parsed.errors).toEqual([]);
  return parsed.apps[0]!;
};

/** The loader's only error as printed, without its position (the planner's message). */
function loaderProblem(text: string): { line: string; message: string } {
  const { errors } = parseManifest(text, "db.yaml");
  expect(errors).toHaveLength(1);
  const error = errors[0]!;
  return { line: formatError(error), message: `${error.path}: ${error.message}` };
}

interface AppCase {
  id: string;
  /** The manifest that breaks the rule; the loader refuses it. */
  broken: string;
  /** The same app, valid for the loader, then changed the way `broken` is: the planner refuses it. */
  planned: (valid: AppSpec) => AppSpec;
  valid: string;
}

const oneVolume = ["{name: data, containerPath: /data}"];
const twoVolumes = (second: string) => [
  "{name: a, containerPath: /data}",
  `{name: b, containerPath: ${second}}`,
];
const twoPorts = (second: number) => ["{target: 80, published: 8080}", `{target: 81, published: ${second}}`];

const APP_CASES: AppCase[] = [
  {
    id: "persistent-replicas",
    broken: manifest({ replicas: 3 }),
    valid: manifest({ replicas: 1 }),
    planned: (app) => ({ ...app, replicas: 3 }),
  },
  {
    id: "volumes-need-persistence",
    broken: manifest({ persistent: false, volumes: oneVolume }),
    valid: manifest({ persistent: true, volumes: oneVolume }),
    planned: (app) => ({ ...app, persistent: false }),
  },
  {
    id: "node-needs-persistence",
    broken: manifest({ persistent: false, node: "worker-1" }),
    valid: manifest({ persistent: true, node: "worker-1" }),
    planned: (app) => ({ ...app, persistent: false }),
  },
  {
    id: "unique-container-paths",
    broken: manifest({ volumes: twoVolumes("/data") }),
    valid: manifest({ volumes: twoVolumes("/logs") }),
    planned: (app) => ({
      ...app,
      volumes: app.volumes.map((v, i) => (i === 1 ? { ...v, containerPath: "/data" } : v)),
    }),
  },
  {
    id: "unique-published-ports",
    broken: manifest({ persistent: false, ports: twoPorts(8080) }),
    valid: manifest({ persistent: false, ports: twoPorts(8081) }),
    planned: (app) => ({ ...app, ports: app.ports.map((p, i) => (i === 1 ? { ...p, published: 8080 } : p)) }),
  },
  {
    id: "persistent-stop-first",
    broken: manifest({ lines: ["  update: {order: start-first}"] }),
    valid: manifest({ lines: ["  update: {order: stop-first}"] }),
    planned: (app) => ({ ...app, update: { order: "start-first" } }),
  },
  {
    id: "persistent-not-global",
    broken: manifest({ replicas: null, lines: ["  mode: global"] }),
    valid: manifest({ persistent: false, replicas: null, lines: ["  mode: global"] }),
    planned: (app) => ({ ...app, persistent: true }),
  },
  {
    id: "persistent-placement",
    broken: manifest({ lines: ["  placement: {constraints: [node.role==worker]}"] }),
    valid: manifest({ persistent: false, lines: ["  placement: {constraints: [node.role==worker]}"] }),
    planned: (app) => ({ ...app, persistent: true }),
  },
];

describe("rules on one app: one definition for the loader (validate) and the planner", () => {
  it.each(APP_CASES)("$id: the same words at the same place, and nothing for the valid app", (c) => {
    const valid = parsedApp(c.valid);
    expect(firstRejection(valid, undefined, OPTIONS)).toBeUndefined();

    const fromLoader = loaderProblem(c.broken);
    const rejection = firstRejection(c.planned(valid), undefined, OPTIONS);
    expect(rejection).toMatchObject({ app: "db", rule: c.id, message: fromLoader.message });
    const where = rejection?.position;
    expect(`${where?.file}:${where?.line}:${where?.col}: ${rejection?.message}`).toBe(fromLoader.line);
  });

  it("every rule the loader runs on one app is one the planner runs again", () => {
    const appRules = RULES.filter((r) => r.input === "app").map((r) => r.id);
    expect(appRules.sort()).toEqual(APP_CASES.map((c) => c.id).sort());
  });
});

describe("rules on one document as written: the loader's", () => {
  it.each([
    {
      id: "volume-source",
      broken: manifest({ volumes: ["{name: a, hostPath: /srv/a, containerPath: /a}"] }),
      valid: manifest({ volumes: ["{name: a, containerPath: /a}"] }),
      says: "a volume has one of name, hostPath and external, not name and hostPath",
    },
    {
      id: "volume-source",
      broken: manifest({ volumes: ["{name: a, external: shop_a, containerPath: /a}"] }),
      valid: manifest({ volumes: ["{external: shop_a, containerPath: /a}"] }),
      says: "a volume has one of name, hostPath and external, not name and external",
    },
    {
      id: "memory-limit-floor",
      broken: manifest({ resources: "{limits: {memory: 5M}}" }),
      valid: manifest({ resources: "{limits: {memory: 6M}}" }),
      says: 'a memory limit must be at least 6M, Docker refuses to start a container with less (got "5M")',
    },
    {
      id: "reservations-within-limits",
      broken: manifest({ resources: "{limits: {cpus: 1}, reservations: {cpus: 2}}" }),
      valid: manifest({ resources: "{limits: {cpus: 2}, reservations: {cpus: 2}}" }),
      says: "the CPU reservation (2) is above the limit (1)",
    },
    {
      id: "global-replicas",
      broken: manifest({ persistent: false, replicas: 1, lines: ["  mode: global"] }),
      valid: manifest({ persistent: false, replicas: null, lines: ["  mode: global"] }),
      says: "a global app runs one task on every eligible node, so it takes no replicas (got 1)",
    },
  ])("$id refuses the document and accepts its valid twin", ({ id, broken, valid, says }) => {
    expect(RULES.find((r) => r.id === id)?.input).toBe("document");
    parsedApp(valid);
    expect(loaderProblem(broken).message).toContain(says);
  });

  it("duplicate-app-name: every definition of a name given twice is invalid, a unique one is kept", () => {
    const app = parsedApp(manifest({}));
    const at = { file: "other.yaml", line: 3, col: 18 };
    const again = { ...app, file: "other.yaml", source: at, positions: { "metadata.name": at } };
    const other = { ...app, name: "other" };
    const twice = DUPLICATE_APP_NAMES.check([app, again, other]);
    expect(twice.unique).toEqual([other]);
    expect(twice.duplicates.map((d) => d.errors[0]?.message)).toEqual([
      expect.stringContaining('app "db" is also defined at other.yaml:3:18'),
      expect.stringContaining('app "db" is also defined at db.yaml:3:18'),
    ]);
  });
});

describe("rules validate and the planner share with the operator's policy", () => {
  it("host-path-forbidden: validate lists the refused path; the planner rejects the app for it", () => {
    const app = parsedApp(manifest({ volumes: ["{hostPath: /etc/x, containerPath: /x}"] }));
    const fine = parsedApp(manifest({ volumes: ["{hostPath: /srv/db, containerPath: /x}"] }));
    const errors = policyErrors(desiredOf([app]), undefined);
    expect(errors).toMatchObject([{ path: "spec.volumes[0].hostPath", line: 9 }]);
    expect(firstRejection(app, undefined, OPTIONS)).toMatchObject({
      rule: "host-path-forbidden",
      message: `spec.volumes[0].hostPath: ${errors[0]?.message}`,
    });
    expect(policyErrors(desiredOf([fine]), undefined)).toEqual([]);
    expect(firstRejection(fine, undefined, OPTIONS)).toBeUndefined();
  });
});

describe("rules on removals", () => {
  const desired = (over: Partial<DesiredState> = {}): DesiredState =>
    desiredOf([], { fileCount: 1, ...over });

  it("keep-failed-files keeps a service of a failed file or of an invalid app's name, and no other", () => {
    const inFailed = orphanService("a", "dir/broken.yaml");
    const elsewhere = orphanService("b", "ok.yaml");
    const failed = desired({ failedFiles: new Set(["dir"]) });
    expect(KEEP_FAILED_FILES.check(inFailed, failed, new Set())).toBe(true);
    expect(KEEP_FAILED_FILES.check(elsewhere, failed, new Set())).toBe(false);
    expect(KEEP_FAILED_FILES.check(elsewhere, failed, new Set(["b"]))).toBe(true);
  });

  it("empty-directory-guard holds back removals from an empty or missing directory unless allowed", () => {
    const removals = { names: ["a"], total: 1 };
    expect(EMPTY_DIRECTORY_GUARD.check(removals, desired({ fileCount: 0 }), false)).toContain(
      "--allow-empty",
    );
    expect(EMPTY_DIRECTORY_GUARD.check(removals, desired({ missing: true }), false)).toContain("missing");
    expect(EMPTY_DIRECTORY_GUARD.check(removals, desired({ fileCount: 0 }), true)).toBeUndefined();
    expect(EMPTY_DIRECTORY_GUARD.check(removals, desired(), false)).toBeUndefined();
  });

  it("mass-prune-guard holds back more than half and more than two, unless allowed", () => {
    expect(MASS_PRUNE_GUARD.check({ names: ["a", "b", "c"], total: 5 }, false)).toContain(
      "--allow-mass-prune",
    );
    expect(MASS_PRUNE_GUARD.check({ names: ["a", "b", "c"], total: 5 }, true)).toBeUndefined();
    expect(MASS_PRUNE_GUARD.check({ names: ["a", "b", "c"], total: 6 }, false)).toBeUndefined();
    expect(MASS_PRUNE_GUARD.check({ names: ["a", "b"], total: 2 }, false)).toBeUndefined();
  });
});

describe("invalid-manifest", () => {
  it("rejects an invalid document's app with its first error, and the planner reports it", () => {
    const invalid = {
      name: "db",
      file: "db.yaml",
      errors: parseManifest(manifest({ replicas: 3 }), "db.yaml").errors,
    };
    const rejection = INVALID_MANIFEST.check("db", invalid);
    expect(rejection).toMatchObject({ rule: "invalid-manifest", position: { line: 7 } });
    const p = plan(desiredOf([], { invalid: [invalid] }), aSwarm().build(), OPTIONS);
    expect(p.rejections).toEqual([rejection]);
  });
});
