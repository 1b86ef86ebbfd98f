import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapNode, scalarNode, seqNode, toPlain } from "../../../../src/compose/load/composeNode.js";
import type { ComposeMap, ComposeNode } from "../../../../src/compose/load/composeNode.js";
import { mergeFiles } from "../../../../src/compose/load/merge.js";
import { parseComposeText } from "../../../../src/compose/load/parseComposeText.js";

function tree(text: string, file: string): ComposeMap {
  const parsed = parseComposeText(text, file);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.root;
}

/** The merged `services.web` of a base and an override service body (YAML, indented by 4). */
function mergedWeb(base: string, override: string): unknown {
  const wrap = (body: string) => `services:\n  web:\n${body.replace(/^/gm, "    ")}\n`;
  const merged = toPlain(mergeFiles(tree(wrap(base), "a.yml"), tree(wrap(override), "b.yml"))) as {
    services: { web: unknown };
  };
  return merged.services.web;
}

/** Every position in a tree, by path. */
function positions(node: ComposeNode, path = ""): [string, string][] {
  const here: [string, string] = [path, `${node.at.file}:${node.at.line}:${node.at.col}`];
  if (node.kind === "map")
    return [here, ...[...node.entries].flatMap(([k, v]) => positions(v, `${path}.${k}`))];
  if (node.kind === "seq") return [here, ...node.items.flatMap((v, i) => positions(v, `${path}[${i}]`))];
  return [here];
}

describe("merging compose files", () => {
  it("merges mappings by key and lets scalars of the later file win", () => {
    expect(
      mergedWeb("image: a\ndeploy:\n  replicas: 2\n  mode: replicated", "image: b\ndeploy:\n  replicas: 3"),
    ).toEqual({
      image: "b",
      deploy: { replicas: 3, mode: "replicated" },
    });
  });

  it("a null in the later file changes nothing", () => {
    expect(mergedWeb("image: a\nenvironment: {A: '1'}", "image:\nenvironment:")).toEqual({
      image: "a",
      environment: { A: "1" },
    });
  });

  it("appends other lists of a service", () => {
    expect(mergedWeb("cap_add: [NET_ADMIN]\ndns: [1.1.1.1]", "cap_add: [SYS_ADMIN]")).toEqual({
      cap_add: ["NET_ADMIN", "SYS_ADMIN"],
      dns: ["1.1.1.1"],
    });
    expect(
      mergedWeb("deploy: {placement: {constraints: [a==1]}}", "deploy: {placement: {constraints: [b==2]}}"),
    ).toEqual({
      deploy: { placement: { constraints: ["a==1", "b==2"] } },
    });
  });

  it("replaces command, entrypoint and healthcheck.test", () => {
    expect(
      mergedWeb(
        "command: [a, b]\nentrypoint: sh -c\nhealthcheck: {test: [CMD, x], retries: 3}",
        "command: [c]\nentrypoint: [bash]\nhealthcheck: {test: [CMD, y]}",
      ),
    ).toEqual({ command: ["c"], entrypoint: ["bash"], healthcheck: { test: ["CMD", "y"], retries: 3 } });
  });

  it("merges environment, labels, deploy.labels, build.args and sysctls by key, lists or maps", () => {
    expect(
      mergedWeb(
        "environment: [A=1, B=2, C]\nlabels: {x: '1'}\ndeploy: {labels: [a=1]}\nbuild: {args: [V=1]}\nsysctls: [net.a=1]",
        "environment: {B: '3', D: '4'}\nlabels: [y=2, x=3]\ndeploy: {labels: {b: '2'}}\nbuild: {args: {V: '2'}}\nsysctls: {net.b: '2'}",
      ),
    ).toEqual({
      environment: { A: "1", B: "3", C: null, D: "4" },
      labels: { x: "3", y: "2" },
      deploy: { labels: { a: "1", b: "2" } },
      build: { args: { V: "2" } },
      sysctls: { "net.a": "1", "net.b": "2" },
    });
    // Written in one file only, the value stays as written.
    expect(mergedWeb("environment: [A=1]", "image: x")).toEqual({ environment: ["A=1"], image: "x" });
  });

  it("merges ports by published port and protocol, short or long syntax", () => {
    expect(
      mergedWeb(
        'ports: ["8080:80", "127.0.0.1:9090:90", "53:53/udp", "53:53/tcp", "3000", 4000]',
        'ports: [{target: 81, published: 8080}, "9090:91", "53:5353/udp", "3000", "4000", "5000:50"]',
      ),
    ).toEqual({
      ports: [
        { target: 81, published: 8080 },
        "9090:91",
        "53:5353/udp",
        "53:53/tcp",
        "3000",
        "4000",
        "5000:50",
      ],
    });
    expect(mergedWeb('ports: ["[::1]:8080:80"]', 'ports: ["8080:81", "8081:80"]')).toEqual({
      ports: ["8080:81", "8081:80"],
    });
  });

  it("merges volumes by container path, secrets and configs by source", () => {
    expect(
      mergedWeb(
        "volumes: [data:/var/lib/data, /cache, {type: bind, source: /srv/a, target: /a}]\nsecrets: [db, {source: api, target: k}]\nconfigs: [c1]",
        "volumes: [other:/var/lib/data:ro, {type: volume, source: c, target: /cache}, /b]\nsecrets: [{source: db, mode: 0400}, api]\nconfigs: [c2]",
      ),
    ).toEqual({
      volumes: [
        "other:/var/lib/data:ro",
        { type: "volume", source: "c", target: "/cache" },
        { type: "bind", source: "/srv/a", target: "/a" },
        "/b",
      ],
      secrets: [{ source: "db", mode: 0o400 }, "api"],
      configs: ["c1", "c2"],
    });
  });

  it("merges service networks by name, replacing aliases", () => {
    expect(mergedWeb("networks: {front: {aliases: [a]}, back: {}}", "networks: [extra]\n")).toEqual({
      networks: { front: { aliases: ["a"] }, back: {}, extra: null },
    });
    expect(
      mergedWeb(
        "networks: {front: {aliases: [a], ipv4_address: 10.0.0.2}}",
        "networks: {front: {aliases: [b]}}",
      ),
    ).toEqual({
      networks: { front: { aliases: ["b"], ipv4_address: "10.0.0.2" } },
    });
  });

  it("replaces each ulimit whole and merges logging only for the same driver", () => {
    expect(
      mergedWeb("ulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}", "ulimits: {nofile: {soft: 3}}"),
    ).toEqual({
      ulimits: { nofile: { soft: 3 }, nproc: 5 },
    });
    expect(
      mergedWeb(
        "logging: {driver: json-file, options: {max-size: 1m}}",
        "logging: {options: {max-file: '3'}}",
      ),
    ).toEqual({ logging: { driver: "json-file", options: { "max-size": "1m", "max-file": "3" } } });
    expect(
      mergedWeb(
        "logging: {driver: json-file, options: {max-size: 1m}}",
        "logging: {driver: syslog, options: {tag: x}}",
      ),
    ).toEqual({ logging: { driver: "syslog", options: { tag: "x" } } });
  });

  it("merges services by name and replaces top-level networks, volumes, secrets and configs whole", () => {
    const base = tree(
      "services: {web: {image: a}, db: {image: pg}}\nnetworks: {n: {driver: overlay, attachable: true}}\nvolumes: {v: {driver: local}}\nsecrets: {s: {file: ./s}}\nconfigs: {c: {file: ./c}}\nx-list: [1, 2]",
      "a.yml",
    );
    const override = tree(
      "services: {web: {replicas: 2}, cache: {image: redis}}\nnetworks: {n: {external: true}}\nvolumes: {w: {}}\nsecrets: {s: {external: true}}\nconfigs: {c: {file: ./d}}\nx-list: [3]",
      "b.yml",
    );
    expect(toPlain(mergeFiles(base, override))).toEqual({
      services: { web: { image: "a", replicas: 2 }, db: { image: "pg" }, cache: { image: "redis" } },
      networks: { n: { external: true } },
      volumes: { v: { driver: "local" }, w: {} },
      secrets: { s: { external: true } },
      configs: { c: { file: "./d" } },
      "x-list": [3],
    });
  });

  it("keeps the position of the file that set each value last", () => {
    const merged = mergeFiles(
      tree("services:\n  web:\n    image: a\n    environment: [A=1, B=2]\n", "a.yml"),
      tree("services:\n  web:\n    environment:\n      B: '3'\n", "b.yml"),
    );
    expect(Object.fromEntries(positions(merged))).toMatchObject({
      ".services.web.image": "a.yml:3:12",
      ".services.web.environment": "b.yml:4:7",
      ".services.web.environment.A": "a.yml:4:19",
      ".services.web.environment.B": "b.yml:4:10",
    });
  });
});

describe("merge properties", () => {
  const files = ["a.yml", "b.yml", "c.yml"];
  const at = fc.record({ file: fc.constantFrom(...files), line: fc.nat(99), col: fc.nat(99) }).map((p) => ({
    ...p,
    line: p.line + 1,
    col: p.col + 1,
  }));
  const keys = fc.constantFrom(
    "services",
    "web",
    "image",
    "environment",
    "ports",
    "volumes",
    "networks",
    "x-a",
    "deploy",
  );
  const scalar = fc.tuple(
    fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null)),
    at,
  );
  const { node } = fc.letrec<{ node: ComposeNode; map: ComposeMap }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar.map(([value, where]) => scalarNode(value, where)),
      fc.tuple(fc.array(tie("node"), { maxLength: 3 }), at).map(([items, where]) => seqNode(items, where)),
      tie("map"),
    ),
    map: fc
      .tuple(fc.uniqueArray(fc.tuple(keys, tie("node")), { maxLength: 4, selector: ([k]) => k }), at)
      .map(([entries, where]) => mapNode(new Map(entries), where)),
  }));
  const mapping = node.filter((n): n is ComposeMap => n.kind === "map");

  it("merging with an empty override changes no value and no position", () => {
    fc.assert(
      fc.property(mapping, at, (base, where) => {
        const merged = mergeFiles(base, mapNode(new Map(), where));
        expect(toPlain(merged)).toEqual(toPlain(base));
        expect(positions(merged).slice(1)).toEqual(positions(base).slice(1));
      }),
    );
  });

  it("merging onto an empty file gives the file", () => {
    fc.assert(
      fc.property(mapping, at, (override, where) => {
        const merged = mergeFiles(mapNode(new Map(), where), override);
        expect(toPlain(merged)).toEqual(toPlain(override));
        expect(positions(merged)).toEqual(positions(override));
      }),
    );
  });

  // Mappings of scalars and mappings, as files of one schema have them: a key is a mapping in
  // every file or a scalar in every file. (A value replaced by one of another kind is not
  // associative, in docker/cli either: (map + scalar) + map is the last map, map + (scalar + map)
  // the two maps merged. Nor are keyed lists with a key repeated in one file.)
  const MAPPING_KEYS = ["services", "web", "deploy", "networks", "x-a"];
  const SCALAR_KEYS = ["image", "environment", "ports", "volumes"];
  const plainMapping = fc.letrec<{ map: ComposeMap }>((tie) => ({
    map: fc
      .tuple(
        fc.uniqueArray(
          fc.oneof(
            { depthSize: "small", withCrossShrink: true },
            fc.tuple(
              fc.constantFrom(...SCALAR_KEYS),
              scalar.map(([value, where]) => scalarNode(value, where)),
            ),
            fc.tuple(fc.constantFrom(...MAPPING_KEYS), tie("map")),
          ),
          { maxLength: 4, selector: ([k]) => k },
        ),
        at,
      )
      .map(([entries, where]) => mapNode(new Map<string, ComposeNode>(entries), where)),
  })).map;

  it("is associative for mappings", () => {
    fc.assert(
      fc.property(plainMapping, plainMapping, plainMapping, (a, b, c) => {
        const left = mergeFiles(mergeFiles(a, b), c);
        const right = mergeFiles(a, mergeFiles(b, c));
        expect(toPlain(left)).toEqual(toPlain(right));
        expect(positions(left)).toEqual(positions(right));
      }),
    );
  });
});
