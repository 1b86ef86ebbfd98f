import { describe, expect, it } from "vitest";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import { formatError } from "../../../src/manifest/types.js";

/*
 * Network, Secret and Config documents, and the App fields that refer to them (issue 16):
 * what valid ones become, and the exact FILE:LINE:COL of what is wrong in broken ones.
 */

function doc(kind: string, name: string, ...specLines: string[]): string {
  const spec = specLines.length > 0 ? ["spec:", ...specLines] : [];
  return ["apiVersion: alacrity.dev/v1", `kind: ${kind}`, "metadata:", `  name: ${name}`, ...spec, ""].join(
    "\n",
  );
}

function app(...specLines: string[]): string {
  return doc("App", "web", "  image: busybox:1", ...specLines);
}

function errorsOf(text: string): string[] {
  return parseManifest(text, "a.yaml").errors.map(formatError);
}

describe("kind: Network", () => {
  it("defaults every option to false", () => {
    const { networks, errors } = parseManifest(doc("Network", "back"), "d/a.yaml");
    expect(errors).toEqual([]);
    expect(networks).toEqual([
      expect.objectContaining({
        name: "back",
        file: "d/a.yaml",
        internal: false,
        attachable: false,
        encrypted: false,
      }),
    ]);
    expect(networks[0]).not.toHaveProperty("external");
    expect(networks[0]?.positions["metadata.name"]).toEqual({ file: "d/a.yaml", line: 4, col: 9 });
  });

  it("names the Swarm network an external document stands for: its own name, or the one given", () => {
    const named = (line: string) => parseManifest(doc("Network", "shop", line), "a.yaml");
    expect(named("  external: true").networks[0]?.external).toBe("shop");
    expect(named("  external: shop_default").networks[0]?.external).toBe("shop_default");
    expect(named("  external: false").networks[0]).not.toHaveProperty("external");
    expect(named("  external: shop_default").networks[0]?.positions["spec.external"]).toEqual({
      file: "a.yaml",
      line: 6,
      col: 13,
    });
  });

  it.each([
    [
      "  external: shop/default",
      "a.yaml:6:13: spec.external: not a Swarm network name: letters, digits, '_', '.' and '-', starting with a letter or digit (got \"shop/default\"); give the name `docker network ls` shows, or true for the network named metadata.name",
    ],
    [
      "  external: 3",
      'a.yaml:6:13: spec.external: must be true, false or the name of an existing Swarm network (got 3); e.g. external: true, or external: "shop_default"',
    ],
  ])("refuses %s with its position", (line, message) => {
    const { errors, networks } = parseManifest(doc("Network", "shop", line), "a.yaml");
    expect(errors.map(formatError)).toEqual([message]);
    expect(networks).toEqual([]);
    // Positive control: a valid name is read.
    expect(parseManifest(doc("Network", "shop", "  external: shop_x"), "a.yaml").errors).toEqual([]);
  });

  it("reads its options", () => {
    const { networks } = parseManifest(
      doc("Network", "back", "  internal: true", "  encrypted: true"),
      "a.yaml",
    );
    expect(networks[0]).toMatchObject({ internal: true, encrypted: true, attachable: false });
  });

  it.each([
    [
      "external with another option",
      doc("Network", "back", "  external: true", "  attachable: true"),
      "a.yaml:7:15: spec.attachable: an external network is used as it is (got attachable: true); remove attachable or external",
    ],
    [
      "the name default",
      doc("Network", "default"),
      `a.yaml:4:9: metadata.name: "default" is AlaCrity's own network (alacran--default) (got "default"); choose another name`,
    ],
    [
      "an unknown field",
      doc("Network", "back", "  internl: true"),
      'a.yaml:6:3: spec.internl: unknown field; did you mean "internal"?',
    ],
    [
      "annotations",
      doc("Network", "back").replace("  name: back\n", "  name: back\n  annotations: {}\n"),
      "a.yaml:5:3: metadata.annotations: unknown field; known fields here: name, labels",
    ],
    [
      "a non-boolean",
      doc("Network", "back", "  internal: yes"),
      'a.yaml:6:13: spec.internal: must be true or false (got "yes")',
    ],
  ])("refuses %s", (_, text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });

  it("marks the invalid document with its kind", () => {
    expect(parseManifest(doc("Network", "default"), "a.yaml").invalid).toEqual([
      expect.objectContaining({ name: "default", kind: "Network" }),
    ]);
  });
});

describe("kind: Secret and kind: Config", () => {
  it.each([
    ["  file: ./conf/../pw.txt", { kind: "file", path: "pw.txt" }],
    ["  env: DB_PASSWORD", { kind: "env", variable: "DB_PASSWORD" }],
    ["  external: shared-pw", { kind: "external", name: "shared-pw" }],
  ])("a Secret with %s", (line, from) => {
    const { secrets, errors } = parseManifest(doc("Secret", "pw", line), "a.yaml");
    expect(errors).toEqual([]);
    expect(secrets).toEqual([expect.objectContaining({ name: "pw", from })]);
  });

  it("a Config with inline data", () => {
    const { configs, errors } = parseManifest(doc("Config", "prom", "  data: |", "    a: 1"), "a.yaml");
    expect(errors).toEqual([]);
    expect(configs[0]?.from).toEqual({ kind: "data", data: "a: 1\n" });
  });

  it.each([
    [
      "no source",
      doc("Secret", "pw", "  {}").replace("spec:\n  {}", "spec: {}"),
      "a.yaml:5:7: spec: a Secret needs exactly one source (got none); give one of file, env, external",
    ],
    [
      "two sources",
      doc("Config", "c", "  env: A", "  data: x"),
      "a.yaml:6:3: spec: a Config takes exactly one source (got env and data); keep one of file, env, external, data",
    ],
    [
      "inline data in a Secret",
      doc("Secret", "pw", "  data: hunter2"),
      "a.yaml:6:3: spec.data: unknown field; known fields here: file, env, external",
    ],
    [
      "an absolute file",
      doc("Secret", "pw", "  file: /etc/passwd"),
      'a.yaml:6:9: spec.file: must be relative to this manifest\'s directory (got "/etc/passwd"); the file must lie in the apps directory',
    ],
    [
      "a bad env name",
      doc("Secret", "pw", "  env: DB-PASSWORD"),
      'a.yaml:6:8: spec.env: must be an environment variable name (letters, digits and _, not starting with a digit) (got "DB-PASSWORD")',
    ],
    [
      "a name longer than 41",
      doc("Config", "a".repeat(42), "  data: x"),
      `a.yaml:4:9: metadata.name: must be at most 41 characters: Swarm names have at most 64 and AlaCrity's are alacran--NAME--<12 hex> (got "${"a".repeat(42)}"); shorten it`,
    ],
    [
      "an unknown kind",
      doc("Volume", "v", "  size: 1"),
      'a.yaml:2:7: kind: must be "App", "Network", "Secret" or "Config" (got "Volume"); AlaCrity knows these four kinds',
    ],
  ])("refuses %s", (_, text, expected) => {
    expect(errorsOf(text)[0]).toBe(expected);
  });

  it("never shows an env-sourced secret's value (it is not in the manifest) nor inline data in errors", () => {
    const errors = errorsOf(doc("Config", "c", "  env: A", "  data: s3cr3t-value"));
    expect(errors.join("\n")).not.toContain("s3cr3t-value");
  });
});

describe("App fields that refer to documents", () => {
  it("adds no keys to an app that sets none of them", () => {
    const [spec] = parseManifest(app(), "a.yaml").apps;
    expect(spec).toBeDefined();
    for (const key of ["networks", "endpointMode", "secrets", "configs"])
      expect(spec).not.toHaveProperty(key);
  });

  it("fills Docker's defaults in", () => {
    const text = app(
      "  networks: [back, {name: front, aliases: [www, web.example]}]",
      "  endpointMode: dnsrr",
      "  secrets: [pw, {name: tls, target: key.pem, uid: 1000, gid: '50', mode: 0440}]",
      "  configs: [prom, {name: nginx, target: /etc/nginx.conf, mode: 420}]",
    );
    const { apps, errors } = parseManifest(text, "a.yaml");
    expect(errors).toEqual([]);
    expect(apps[0]).toMatchObject({
      networks: [
        { name: "back", aliases: [] },
        { name: "front", aliases: ["www", "web.example"] },
      ],
      endpointMode: "dnsrr",
      secrets: [
        { name: "pw", target: "/run/secrets/pw", uid: "0", gid: "0", mode: 0o444 },
        { name: "tls", target: "/run/secrets/key.pem", uid: "1000", gid: "50", mode: 0o440 },
      ],
      configs: [
        { name: "prom", target: "/prom", uid: "0", gid: "0", mode: 0o444 },
        { name: "nginx", target: "/etc/nginx.conf", uid: "0", gid: "0", mode: 420 },
      ],
    });
    expect(apps[0]?.positions["spec.networks[0]"]).toEqual({ file: "a.yaml", line: 7, col: 14 });
    expect(apps[0]?.positions["spec.secrets[1].name"]).toEqual({ file: "a.yaml", line: 9, col: 24 });
  });

  it("reads a mode written 0777 as octal and a YAML 1.2 0o octal as it is", () => {
    const { apps } = parseManifest(
      app("  secrets: [{name: a, mode: 0777}, {name: b, mode: 0o400}]"),
      "a.yaml",
    );
    expect(apps[0]?.secrets?.map((s) => s.mode)).toEqual([0o777, 0o400]);
  });

  it.each([
    [
      "a duplicate network",
      app("  networks: [back, front, back]"),
      'a.yaml:7:27: spec.networks[2].name: "back" is already listed at spec.networks[0]; list it once',
    ],
    [
      "a duplicate secret target",
      app("  secrets: [a, {name: b, target: a}]"),
      'a.yaml:7:34: spec.secrets[1].target: target "/run/secrets/a" is already used by spec.secrets[0]; give each a different target',
    ],
    [
      "a duplicate config",
      app("  configs: [a, {name: a, target: /b}]"),
      'a.yaml:7:23: spec.configs[1].name: "a" is already listed at spec.configs[0]; list it once',
    ],
    [
      "a mode over 0777",
      app("  secrets: [{name: a, mode: 01000}]"),
      "a.yaml:7:29: spec.secrets[0].mode: must be a file mode from 0 to 0777 (got 512); write it in octal, e.g. 0440",
    ],
    [
      "a bad endpoint mode",
      app("  endpointMode: rr"),
      'a.yaml:7:17: spec.endpointMode: must be "vip" or "dnsrr" (got "rr")',
    ],
    [
      "a bad alias",
      app("  networks: [{name: back, aliases: [_x]}]"),
      "a.yaml:7:37: spec.networks[0].aliases[0]: an alias must be a DNS name (letters, digits, '-' and '.') (got \"_x\"); e.g. \"db\"",
    ],
    [
      "a network entry that is a number",
      app("  networks: [3]"),
      "a.yaml:7:14: spec.networks[0]: must be a network name or a map with name and aliases (got 3)",
    ],
    [
      "an unknown mount field",
      app("  configs: [{name: a, mod: 1}]"),
      'a.yaml:7:23: spec.configs[0].mod: unknown field; did you mean "mode"?',
    ],
  ])("refuses %s", (_, text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });
});
