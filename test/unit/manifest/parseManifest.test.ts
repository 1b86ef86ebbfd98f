import { describe, expect, it } from "vitest";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import { formatError } from "../../../src/manifest/types.js";

/** A valid manifest with `spec` lines appended (each given with its two-space indentation). */
function app(name: string, ...specLines: string[]): string {
  return [
    "apiVersion: alacrity.dev/v1",
    "kind: App",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  image: busybox:1",
    ...specLines,
    "",
  ].join("\n");
}

/** The app "web" with a line added to its metadata. */
function withMetadata(line: string): string {
  return app("web").replace("  name: web\n", `  name: web\n${line}\n`);
}

function errorsOf(text: string): string[] {
  return parseManifest(text, "a.yaml").errors.map(formatError);
}

describe("parseManifest: a valid app", () => {
  it("fills the contract's defaults", () => {
    const { apps, errors } = parseManifest(app("web", "  ports: [{target: 80}]"), "a.yaml");
    expect(errors).toEqual([]);
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      name: "web",
      image: "busybox:1",
      persistent: false,
      replicas: 1,
      labels: {},
      annotations: {},
      env: {},
      ports: [{ target: 80, protocol: "tcp" }],
      volumes: [],
      source: { file: "a.yaml", line: 1, col: 1 },
    });
    expect(apps[0]).not.toHaveProperty("node");
    expect(apps[0]).not.toHaveProperty("command");
  });

  it("turns volumes into the tagged union and records the positions of values", () => {
    const text = app(
      "db",
      "  persistent: true",
      "  node: worker-2",
      "  volumes:",
      "    - name: data",
      "      containerPath: /data",
      "    - hostPath: /srv/up",
      "      containerPath: /up",
      "      readOnly: true",
    );
    const [db] = parseManifest(text, "a.yaml").apps;
    expect(db?.volumes).toEqual([
      { kind: "named", name: "data", containerPath: "/data", readOnly: false },
      { kind: "host", hostPath: "/srv/up", containerPath: "/up", readOnly: true },
    ]);
    expect(db?.positions["metadata.name"]).toEqual({ file: "a.yaml", line: 4, col: 9 });
    expect(db?.positions["spec.image"]).toEqual({ file: "a.yaml", line: 6, col: 10 });
    expect(db?.positions["spec.persistent"]).toEqual({ file: "a.yaml", line: 7, col: 15 });
    expect(db?.positions["spec.node"]).toEqual({ file: "a.yaml", line: 8, col: 9 });
    expect(db?.positions["spec.volumes[0]"]).toEqual({ file: "a.yaml", line: 10, col: 7 });
    expect(db?.positions["spec.volumes[0].name"]).toEqual({ file: "a.yaml", line: 10, col: 13 });
    expect(db?.positions["spec.volumes[1].hostPath"]).toEqual({ file: "a.yaml", line: 12, col: 17 });
    expect(db?.positions["spec.volumes[1].containerPath"]).toEqual({ file: "a.yaml", line: 13, col: 22 });
    // A field left to its default points at the nearest thing that exists: the spec.
    expect(db?.positions["spec.replicas"]).toEqual({ file: "a.yaml", line: 6, col: 3 });
  });

  it("reads resources in Swarm's units: nano-CPUs and bytes (units in powers of 1024)", () => {
    const text = app(
      "web",
      "  resources:",
      "    limits: {cpus: 1.5, memory: 512M}",
      "    reservations: {cpus: 0.25, memory: 268435456}",
    );
    const { apps, errors } = parseManifest(text, "a.yaml");
    expect(errors).toEqual([]);
    expect(apps[0]?.resources).toEqual({
      limits: { nanoCpus: 1_500_000_000, memoryBytes: 512 * 1024 ** 2 },
      reservations: { nanoCpus: 250_000_000, memoryBytes: 256 * 1024 ** 2 },
    });
    // Not set at all, or set empty: no resources, so the app's fields (and hash) are as before.
    expect(parseManifest(app("web"), "a.yaml").apps[0]).not.toHaveProperty("resources");
    expect(parseManifest(app("web", "  resources: {limits: {}}"), "a.yaml").apps[0]).not.toHaveProperty(
      "resources",
    );
  });

  it("accepts the controller's own annotations", () => {
    const text = app("db").replace(
      "  name: db",
      '  name: db\n  annotations:\n    alacrity.dev/allow-move: "true"\n    alacrity.dev/allow-drop-persistence: "true"',
    );
    expect(errorsOf(text)).toEqual([]);
  });

  it("accepts tcp and udp on the same published port", () => {
    const text = app(
      "dns",
      "  ports:",
      "    - {target: 53, published: 5353}",
      "    - {target: 53, published: 5353, protocol: udp}",
    );
    expect(errorsOf(text)).toEqual([]);
  });
});

describe("parseManifest: rules", () => {
  const cases: [string, string, string][] = [
    ["name too long", app("a".repeat(64)), "a.yaml:4:9: metadata.name: must be 1-63 characters"],
    ["name ending in -", app("web-"), "a.yaml:4:9: metadata.name: must be 1-63 characters"],
    [
      "persistent with 2 replicas",
      app("db", "  persistent: true", "  replicas: 2"),
      "a.yaml:8:13: spec.replicas: a persistent app cannot have more than 1 replica (got 2); persistent apps are pinned to one node",
    ],
    [
      "negative replicas",
      app("web", "  replicas: -1"),
      "a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got -1)",
    ],
    [
      "fractional replicas",
      app("web", "  replicas: 1.5"),
      "a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got 1.5)",
    ],
    [
      "quoted replicas",
      app("web", '  replicas: "2"'),
      'a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got "2"); remove the quotes: 2',
    ],
    [
      "volumes without persistence",
      app("web", "  volumes: [{name: v, containerPath: /v}]"),
      "a.yaml:7:12: spec.volumes: only persistent apps may declare volumes; set spec.persistent: true",
    ],
    [
      "node without persistence",
      app("web", "  node: n1"),
      "a.yaml:7:9: spec.node: only persistent apps are pinned to a node; set spec.persistent: true or remove spec.node",
    ],
    [
      "relative containerPath",
      app("db", "  persistent: true", "  volumes: [{name: v, containerPath: data}]"),
      'a.yaml:8:38: spec.volumes[0].containerPath: containerPath must be an absolute path (got "data"); start it with "/"',
    ],
    [
      "trailing slash in hostPath",
      app("db", "  persistent: true", "  volumes: [{hostPath: /srv/x/, containerPath: /x}]"),
      'a.yaml:8:24: spec.volumes[0].hostPath: hostPath must be a normalised path (got "/srv/x/"); write "/srv/x"',
    ],
    [
      "double slash in containerPath",
      app("db", "  persistent: true", "  volumes: [{name: v, containerPath: //x}]"),
      'spec.volumes[0].containerPath: containerPath must be a normalised path (got "//x"); write "/x"',
    ],
    [
      "containerPath /",
      app("db", "  persistent: true", "  volumes: [{name: v, containerPath: /}]"),
      "spec.volumes[0].containerPath: containerPath cannot be the container's root",
    ],
    [
      "volume name with ..",
      app("db", "  persistent: true", "  volumes: [{name: x..y, containerPath: /x}]"),
      'a.yaml:8:20: spec.volumes[0].name: a volume name must not contain ".."',
    ],
    [
      "volume name with /",
      app("db", "  persistent: true", "  volumes: [{name: x/y, containerPath: /x}]"),
      "a.yaml:8:20: spec.volumes[0].name: a volume name must be letters",
    ],
    [
      "unknown field with a suggestion",
      app("web", "  replcas: 2"),
      'a.yaml:7:3: spec.replcas: unknown field; did you mean "replicas"?',
    ],
    [
      "unknown field without a close match",
      app("web", "  zzzzzzzz: 2"),
      "a.yaml:7:3: spec.zzzzzzzz: unknown field; known fields here: image, persistent,",
    ],
    [
      "unknown volume field",
      app("db", "  persistent: true", "  volumes:", "    - name: v", "      containerpath: /v"),
      'a.yaml:10:7: spec.volumes[0].containerpath: unknown field; did you mean "containerPath"?',
    ],
    [
      "env value that is a boolean",
      app("web", "  env: {DEBUG: true}"),
      'a.yaml:7:16: spec.env.DEBUG: must be a string (got true); quote it: "true"',
    ],
    [
      "env value that is a number (it may be a secret: never shown)",
      app("web", "  env: {PIN: 987654321}"),
      'a.yaml:7:14: spec.env.PIN: must be a string (got a number); quote it: "..."',
    ],
    [
      "env name with =",
      app("web", '  env: {"A=B": x}'),
      'a.yaml:7:9: spec.env["A=B"]: env name must be letters, digits and _ and not start with a digit (got "A=B"); rename it',
    ],
    [
      "env name with -",
      app("web", "  env: {A-B: x}"),
      'a.yaml:7:9: spec.env.A-B: env name must be letters, digits and _ and not start with a digit (got "A-B"); rename it',
    ],
    [
      "env name starting with a digit",
      app("web", "  env: {OK_1: x, 1A: y}"),
      'a.yaml:7:18: spec.env["1A"]: env name must be letters, digits and _ and not start with a digit (got "1A"); rename it',
    ],
    [
      "env name with a newline (it would forge output lines)",
      app("web", '  env: {"A\\nNo changes": x}'),
      'a.yaml:7:9: spec.env["A\\nNo changes"]: env name must be letters, digits and _ and not start with a digit (got "A\\nNo changes"); rename it',
    ],
    [
      "label key with a newline",
      withMetadata('  labels: {"team\\nNo changes": x}'),
      'a.yaml:5:12: metadata.labels["team\\nNo changes"]: label key must not contain control characters or line breaks (got "team\\nNo changes"); remove them',
    ],
    [
      "label key with a Unicode line separator",
      withMetadata('  labels: {"a\\u2028b": x}'),
      'a.yaml:5:12: metadata.labels["a\\u2028b"]: label key must not contain control characters or line breaks (got "a\\u2028b"); remove them',
    ],
    [
      "annotation key with a C1 control",
      withMetadata('  annotations: {"a\\x85": x}'),
      'a.yaml:5:17: metadata.annotations["a\\u0085"]: annotation key must not contain control characters or line breaks (got "a\\u0085"); remove them',
    ],
    [
      "env named __proto__ (a plain object would drop it silently)",
      app("web", "  env: {__proto__: x, A: b}"),
      'a.yaml:7:9: spec.env.__proto__: a key named "__proto__" cannot be kept (the controller\'s runtime gives it a special meaning); rename it',
    ],
    [
      "label named __proto__",
      app("web").replace("  name: web", "  name: web\n  labels: {__proto__: x}"),
      'a.yaml:5:12: metadata.labels.__proto__: a key named "__proto__" cannot be kept',
    ],
    [
      "CPUs written in quotes",
      app("web", '  resources: {limits: {cpus: "0.5"}}'),
      'a.yaml:7:30: spec.resources.limits.cpus: must be a number of CPUs, e.g. 0.5 (got "0.5"); remove the quotes: 0.5',
    ],
    [
      "too few CPUs",
      app("web", "  resources: {reservations: {cpus: 0.001}}"),
      "a.yaml:7:36: spec.resources.reservations.cpus: must be at least 0.01 CPUs (got 0.001)",
    ],
    [
      "memory without a known unit",
      app("web", "  resources: {limits: {memory: 512X}}"),
      'a.yaml:7:32: spec.resources.limits.memory: must be a size like "512M" or "1.5G" (units K, M, G, T in powers of 1024), or a number of bytes (got "512X")',
    ],
    [
      "memory limit below Docker's minimum",
      app("web", "  resources: {limits: {memory: 4M}}"),
      'a.yaml:7:32: spec.resources.limits.memory: a memory limit must be at least 6M, Docker refuses to start a container with less (got "4M"); raise it',
    ],
    [
      "memory reservation above the limit",
      app("web", "  resources: {limits: {memory: 1G}, reservations: {memory: 2G}}"),
      "a.yaml:7:60: spec.resources.reservations.memory: the memory reservation (2G) is above the limit (1G); lower the reservation or raise the limit",
    ],
    [
      "CPU reservation above the limit",
      app("web", "  resources: {limits: {cpus: 1}, reservations: {cpus: 2}}"),
      "spec.resources.reservations.cpus: the CPU reservation (2) is above the limit (1); lower the reservation or raise the limit",
    ],
    [
      "a misspelt resource field",
      app("web", "  resources: {limits: {memroy: 1G}}"),
      'a.yaml:7:24: spec.resources.limits.memroy: unknown field; did you mean "memory"?',
    ],
    [
      "label with a number",
      app("web").replace("  name: web", "  name: web\n  labels: {tier: 2}"),
      'a.yaml:5:18: metadata.labels.tier: must be a string (got 2); quote it: "2"',
    ],
    [
      "docker-reserved label",
      app("web").replace("  name: web", '  name: web\n  labels: {com.docker.stack: "x"}'),
      'metadata.labels["com.docker.stack"]: label keys starting with "com.docker." are reserved',
    ],
    [
      "unknown controller annotation",
      app("web").replace("  name: web", '  name: web\n  annotations: {alacrity.dev/allow-moves: "true"}'),
      'metadata.annotations["alacrity.dev/allow-moves"]: unknown controller annotation',
    ],
    [
      "port 0",
      app("web", "  ports: [{target: 0}]"),
      "a.yaml:7:20: spec.ports[0].target: must be a port number from 1 to 65535 (got 0)",
    ],
    [
      "bad protocol",
      app("web", "  ports: [{target: 1, protocol: sctp}]"),
      'spec.ports[0].protocol: must be "tcp" or "udp" (got "sctp")',
    ],
    [
      "image with spaces",
      app("web").replace("busybox:1", '"busy box"'),
      "a.yaml:6:10: spec.image: not a valid image reference",
    ],
    [
      "missing metadata",
      "apiVersion: alacrity.dev/v1\nkind: App\nspec: {image: x}\n",
      'metadata: required field is missing; add "metadata:" to the document',
    ],
    [
      "spec is a list",
      "apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: a}\nspec: [1]\n",
      "a.yaml:4:7: spec: must be a map (got a list)",
    ],
    [
      "wrong kind",
      app("web").replace("kind: App", "kind: Service"),
      'a.yaml:2:7: kind: must be "App", "Network", "Secret" or "Config" (got "Service")',
    ],
  ];
  it.each(cases)("%s", (_, text, expected) => {
    const errors = errorsOf(text);
    expect(
      errors.some((e) => e.startsWith(expected) || e.includes(expected)),
      errors.join("\n"),
    ).toBe(true);
    expect(parseManifest(text, "a.yaml").apps).toEqual([]);
  });
});

describe("parseManifest: documents", () => {
  it("keeps the valid documents of a file when one is bad, and records the bad one's name", () => {
    const text = [app("good"), app("bad", "  replicas: many"), app("also-good")].join("---\n");
    const result = parseManifest(text, "multi.yaml");
    expect(result.apps.map((a) => a.name)).toEqual(["good", "also-good"]);
    expect(result.invalid).toHaveLength(1);
    expect(result.invalid[0]).toMatchObject({ name: "bad", file: "multi.yaml" });
    expect(result.errors.map(formatError)).toEqual([
      'multi.yaml:14:13: spec.replicas: must be a whole number from 0 up (got "many")',
    ]);
    expect(result.apps[1]?.source).toEqual({ file: "multi.yaml", line: 16, col: 1 });
  });

  it("fails the whole file on a syntax error, keeping the names it can read as invalid", () => {
    const text = `${app("first")}---\n${app("second", "  env: {A: [}")}`;
    const result = parseManifest(text, "s.yaml");
    expect(result.apps).toEqual([]);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]?.message).toMatch(/^YAML syntax error: /);
    expect(result.invalid.map((i) => i.name)).toContain("first");
  });

  it("reports a reserved label key and a bad label value of one map together", () => {
    const text = app("web").replace("  name: web", "  name: web\n  labels: {alacrity.app: x, team: 5}");
    expect(errorsOf(text)).toEqual([
      'a.yaml:5:12: metadata.labels["alacrity.app"]: label keys starting with "alacrity." are reserved (got "alacrity.app"); choose another prefix',
      'a.yaml:5:35: metadata.labels.team: must be a string (got 5); quote it: "5"',
    ]);
  });

  it("reports a duplicate key at the second key", () => {
    expect(errorsOf(app("web", "  image: other"))).toEqual([
      "a.yaml:7:3: duplicate key; each key may appear only once in a map",
    ]);
  });

  it("does not treat `yes` or dates as anything but strings (YAML 1.2)", () => {
    const { apps, errors } = parseManifest(app("web", "  env: {A: yes, B: 2024-01-01x}"), "a.yaml");
    expect(errors).toEqual([]);
    expect(apps[0]?.env).toEqual({ A: "yes", B: "2024-01-01x" });
  });
});

describe("parseManifest: numbers YAML has and JSON has not", () => {
  it.each([
    ["  replicas: .inf", "a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got .inf)"],
    ["  replicas: -.inf", "a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got -.inf)"],
    ["  replicas: .nan", "a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got .nan)"],
    ["  replicas: 1e400", "a.yaml:7:13: spec.replicas: must be a whole number from 0 up (got .inf)"],
    [
      "  ports: [{target: .inf}]",
      "a.yaml:7:20: spec.ports[0].target: must be a port number from 1 to 65535 (got .inf)",
    ],
    [
      "  resources: {limits: {cpus: .nan}}",
      "a.yaml:7:30: spec.resources.limits.cpus: must be a number of CPUs, e.g. 0.5 (got .nan)",
    ],
    [
      "  resources: {limits: {memory: .inf}}",
      'a.yaml:7:32: spec.resources.limits.memory: must be a size like "512M" or "1.5G" (units K, M, G, T in powers of 1024), or a number of bytes (got .inf)',
    ],
    ["  node: .inf", "a.yaml:7:9: spec.node: must be a string (got .inf); give a node hostname or ID"],
    ["  command: [.nan]", 'a.yaml:7:13: spec.command[0]: must be a string (got .nan); quote it: ".nan"'],
  ])("%s is reported as YAML writes it, at its position", (line, want) => {
    const errors = errorsOf(app("web", line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(want);
    expect(errors[0]).not.toContain("null");
  });
});

describe("parseManifest: the YAML version", () => {
  it.each([
    ["010 (8 under YAML 1.1)", "  replicas: 010"],
    ["off (false under YAML 1.1)", "  env: {A: off}"],
  ])("refuses a YAML 1.1 version directive at its position, which would read %s", (_, line) => {
    const { apps, errors } = parseManifest(`# header\n%YAML 1.1\n---\n${app("web", line)}`, "a.yaml");
    expect(apps).toEqual([]);
    expect(errors.map(formatError)).toEqual([
      "a.yaml:2:1: %YAML 1.1 is not supported: manifests are YAML 1.2 (where 010 is 10 and off is a string); remove the directive",
    ]);
  });

  it("reads 010 as 10 and off as a string under YAML 1.2, with or without the header", () => {
    for (const header of ["", "%YAML 1.2\n---\n"]) {
      const { apps, errors } = parseManifest(
        `${header}${app("web", "  replicas: 010", "  env: {A: off}")}`,
        "a.yaml",
      );
      expect(errors).toEqual([]);
      expect(apps[0]).toMatchObject({ replicas: 10, env: { A: "off" } });
    }
  });

  it("refuses any other version, and a directive of a later document, at its line", () => {
    const text = `${app("a")}...\n%YAML 1.3\n---\n${app("b")}`;
    expect(errorsOf(text)).toEqual([
      "a.yaml:8:1: %YAML 1.3 is not supported: manifests are YAML 1.2 (where 010 is 10 and off is a string); remove the directive",
    ]);
    // A "%YAML" line inside a block scalar is content, not a directive.
    expect(errorsOf(app("web", "  args:", "    - |", "      %YAML 1.1"))).toEqual([]);
  });
});

describe("parseManifest: controller annotations", () => {
  const annotated = (value: string) =>
    app("db", "  persistent: true").replace(
      "  name: db\n",
      `  name: db\n  annotations:\n    alacrity.dev/allow-move: ${value}\n    alacrity.dev/allow-drop-persistence: "false"\n`,
    );

  it.each(['"yes"', '"TRUE"', '""', '"1"'])(
    "refuses %s for alacrity.dev/allow-move at the value",
    (value) => {
      expect(errorsOf(annotated(value))).toEqual([
        `a.yaml:6:30: metadata.annotations["alacrity.dev/allow-move"]: must be "true" or "false" (got ${value})`,
      ]);
    },
  );

  it('accepts "true" and "false"', () => {
    for (const value of ['"true"', '"false"']) {
      const { apps, errors } = parseManifest(annotated(value), "a.yaml");
      expect(errors).toEqual([]);
      expect(apps[0]?.annotations["alacrity.dev/allow-move"]).toBe(JSON.parse(value));
    }
  });
});
