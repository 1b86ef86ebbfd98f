import { describe, expect, it } from "vitest";
import { changedApps, deepEqual } from "../../../src/controller/desiredDiff.js";
import type { AppSpec, DesiredState, InvalidApp } from "../../../src/manifest/types.js";
import { anApp } from "../reconcile/builders.js";

function app(name: string, overrides: Partial<AppSpec> = {}): AppSpec {
  return { ...anApp(name).build(), ...overrides };
}

function state(apps: AppSpec[], invalid: InvalidApp[] = []): DesiredState {
  return {
    apps: new Map(apps.map((a) => [a.name, a])),
    invalid,
    errors: invalid.flatMap((i) => i.errors),
    failedFiles: new Set(invalid.map((i) => i.file)),
    fileCount: apps.length + invalid.length,
    missing: false,
  };
}

function invalid(name: string, message: string, line = 3): InvalidApp {
  return {
    name,
    file: `${name}.yaml`,
    errors: [{ file: `${name}.yaml`, line, col: 1, path: "spec", message }],
  };
}

const sorted = (s: Set<string>) => [...s].sort();

describe("changedApps", () => {
  it("is empty for identical states", () => {
    expect(sorted(changedApps(state([app("a"), app("b")]), state([app("a"), app("b")])))).toEqual([]);
  });

  it("reports added and removed apps", () => {
    expect(sorted(changedApps(state([app("a"), app("b")]), state([app("b"), app("c")])))).toEqual(["a", "c"]);
  });

  it("reports apps whose spec changed, down to nested values", () => {
    const before = state([app("a", { env: { X: "1" } }), app("b"), app("c", { ports: [] })]);
    const after = state([
      app("a", { env: { X: "2" } }),
      app("b"),
      app("c", { ports: [{ target: 80, protocol: "tcp" }] }),
    ]);
    expect(sorted(changedApps(before, after))).toEqual(["a", "c"]);
  });

  it("ignores positions and line moves but not a move to another file", () => {
    const before = state([app("a"), app("b")]);
    const after = state([
      app("a", {
        source: { file: "a.yaml", line: 9, col: 1 },
        positions: { "metadata.name": { file: "a.yaml", line: 12, col: 9 } },
      }),
      app("b", { file: "other.yaml", source: { file: "other.yaml", line: 1, col: 1 } }),
    ]);
    expect(sorted(changedApps(before, after))).toEqual(["b"]);
  });

  it("reports apps that became invalid, valid again, or whose errors changed", () => {
    const before = state([app("a"), app("b")], [invalid("c", "bad image"), invalid("d", "bad port")]);
    const after = state(
      [app("b"), app("c")],
      [invalid("a", "bad replicas"), invalid("d", "bad port", 7), invalid("e", "x")],
    );
    // d's error only moved a line: unchanged. c is valid again, a became invalid, e is new.
    expect(sorted(changedApps(before, after))).toEqual(["a", "c", "e"]);
    const reworded = state([app("b"), app("c")], [invalid("a", "bad replicas"), invalid("d", "worse port")]);
    expect(sorted(changedApps(after, reworded))).toEqual(["d", "e"]);
  });
});

describe("deepEqual", () => {
  it("compares plain data structurally", () => {
    expect(deepEqual({ a: [1, { b: "x" }], c: undefined }, { a: [1, { b: "x" }] })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});

describe("changedApps and the documents apps use", () => {
  const ref = (name: string) => ({ name, target: `/run/secrets/${name}`, uid: "0", gid: "0", mode: 0o444 });
  const secret = (name: string, path: string, line = 1) => ({
    name,
    labels: {},
    from: { kind: "file" as const, path },
    file: "secrets.yaml",
    source: { file: "secrets.yaml", line, col: 1 },
    positions: {},
  });
  const withDocs = (
    apps: AppSpec[],
    secrets: ReturnType<typeof secret>[],
    versions: [string, string][] = [],
  ): DesiredState => ({
    ...state(apps),
    secrets: new Map(secrets.map((s) => [s.name, s])),
    contentVersions: new Map(versions),
  });
  const apps = [
    app("web", { secrets: [ref("pw")] }),
    app("db", { secrets: [ref("pw"), ref("root")] }),
    app("cache"),
  ];

  it("enqueues the apps of a secret whose content changed, though no manifest did", () => {
    const before = withDocs(
      apps,
      [secret("pw", "pw.txt"), secret("root", "root.txt")],
      [
        ["secret:pw", "aaa"],
        ["secret:root", "bbb"],
      ],
    );
    const after = withDocs(
      apps,
      [secret("pw", "pw.txt"), secret("root", "root.txt")],
      [
        ["secret:pw", "aaa"],
        ["secret:root", "ccc"],
      ],
    );
    expect([...changedApps(before, after)]).toEqual(["db"]);
    // Positive control: the same states with the same contents change nothing.
    expect(changedApps(before, before).size).toBe(0);
  });

  it("enqueues the apps of a Secret document that changed its source, not for a moved line", () => {
    const before = withDocs(apps, [secret("pw", "pw.txt")]);
    expect([...changedApps(before, withDocs(apps, [secret("pw", "pw2.txt")]))].sort()).toEqual(["db", "web"]);
    expect(changedApps(before, withDocs(apps, [secret("pw", "pw.txt", 9)])).size).toBe(0);
  });
});
