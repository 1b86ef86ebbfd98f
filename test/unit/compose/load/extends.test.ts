import { describe, expect, it } from "vitest";
import { failures, loaded, where } from "./memoryProject.js";

describe("extends", () => {
  it("extends a service of the same file, by name or by {service}, merged by the merge rules", async () => {
    const { document } = await loaded(
      {
        "a.yml": [
          "services:",
          "  base:",
          "    image: app",
          "    environment: [A=1, B=2]",
          "    ports: ['8080:80']",
          "  web:",
          "    extends: base",
          "    environment: {B: '3'}",
          "  worker:",
          "    extends: {service: base}",
          "    command: [work]",
          "",
        ].join("\n"),
      },
      ["a.yml"],
    );
    expect(document.root.services).toEqual({
      base: { image: "app", environment: ["A=1", "B=2"], ports: ["8080:80"] },
      web: { image: "app", environment: { A: "1", B: "3" }, ports: ["8080:80"] },
      worker: { image: "app", environment: ["A=1", "B=2"], ports: ["8080:80"], command: ["work"] },
    });
    expect(where(document.locate(["services", "web", "image"]))).toBe("a.yml:3:12");
    expect(where(document.locate(["services", "web", "environment", "B"]))).toBe("a.yml:8:22");
  });

  it("extends a service of another file, relative to the file that names it, with its positions", async () => {
    const { document } = await loaded(
      {
        "stack/app.yml":
          "services:\n  web:\n    extends: {service: common, file: ../lib/common.yml}\n    image: web\n",
        "lib/common.yml":
          "services:\n  common:\n    extends: {service: root, file: root.yml}\n    user: app\n",
        "lib/root.yml": "services:\n  root:\n    read_only: true\n    user: root\n",
      },
      ["stack/app.yml"],
    );
    expect(document.root.services).toEqual({ web: { read_only: true, user: "app", image: "web" } });
    expect(where(document.locate(["services", "web", "read_only"]))).toBe("lib/root.yml:3:16");
    expect(where(document.locate(["services", "web", "user"]))).toBe("lib/common.yml:4:11");
    expect(where(document.locate(["services", "web", "image"]))).toBe("stack/app.yml:4:12");
  });

  it("rebases the relative bind sources and env files of a service from another directory onto the file that extends it", async () => {
    const { document } = await loaded(
      {
        "stack/app.yml": [
          "services:",
          "  web:",
          "    extends: {service: common, file: ../lib/common.yml}",
          "    volumes: ['./own:/own']",
          "  same:",
          "    extends: {service: local, file: local.yml}",
          "",
        ].join("\n"),
        "stack/local.yml":
          "services:\n  local: {image: x, volumes: ['./here:/here'], env_file: ./here.env}\n",
        "lib/common.yml": [
          "services:",
          "  common:",
          "    extends: {service: root, file: deep/root.yml}",
          "    image: app",
          "    env_file: [./common.env, {path: ../shared.env, required: false}, /etc/abs.env]",
          "    volumes:",
          "      - ./data:/data",
          "      - named:/named",
          "      - /abs:/abs:ro",
          "      - ~/home:/home",
          "      - {type: bind, source: ., target: /conf}",
          "      - {type: volume, source: ./not-a-path, target: /v}",
          "",
        ].join("\n"),
        "lib/deep/root.yml": "services:\n  root: {volumes: ['./x:/x'], env_file: root.env}\n",
      },
      ["stack/app.yml"],
    );
    const services = document.root.services as Record<string, Record<string, unknown>>;
    expect(services.web?.env_file).toEqual([
      "../lib/common.env",
      { path: "../shared.env", required: false },
      "/etc/abs.env",
    ]);
    expect(services.web?.volumes).toEqual([
      "../lib/deep/x:/x",
      "../lib/data:/data",
      "named:/named",
      "/abs:/abs:ro",
      "~/home:/home",
      { type: "bind", source: "../lib", target: "/conf" },
      { type: "volume", source: "./not-a-path", target: "/v" },
      "./own:/own",
    ]);
    // A file in the same directory: nothing to rebase.
    expect(services.same).toEqual({ image: "x", volumes: ["./here:/here"], env_file: "./here.env" });
    expect(where(document.locate(["services", "web", "volumes", 1]))).toBe("lib/common.yml:7:9");
  });

  it("follows a chain, and is resolved in each file before the files are merged", async () => {
    const { document } = await loaded(
      {
        "a.yml":
          "services:\n  a: {image: one, user: a}\n  b: {extends: a, user: b}\n  c: {extends: b, hostname: c}\n",
        "b.yml": "services:\n  c: {image: two}\n",
      },
      ["a.yml", "b.yml"],
    );
    expect((document.root.services as Record<string, unknown>).c).toEqual({
      image: "two",
      user: "b",
      hostname: "c",
    });
  });

  it("interpolates the extended file with the same variables", async () => {
    const { document, warnings } = await loaded(
      {
        "a.yml": "services:\n  web: {extends: {service: base, file: b.yml}}\n",
        "b.yml": "services:\n  base: {image: 'app:${TAG}', user: '${NOBODY}'}\n",
      },
      ["a.yml"],
      { env: { TAG: "7" } },
    );
    expect(document.root.services).toEqual({ web: { image: "app:7", user: "" } });
    expect(warnings.map((w) => where(w))).toEqual(["b.yml:2:38"]);
  });

  it("refuses a cycle with its chain", async () => {
    expect(
      await failures({ "a.yml": "services:\n  a: {extends: b}\n  b: {extends: c}\n  c: {extends: a}\n" }, [
        "a.yml",
      ]),
    ).toEqual([
      "a.yml:4:16: services.c.extends: extends makes a cycle: a (a.yml) → b (a.yml) → c (a.yml) → a (a.yml); remove one of these extends",
    ]);
    expect(await failures({ "a.yml": "services:\n  a: {extends: a}\n" }, ["a.yml"])).toEqual([
      "a.yml:2:16: services.a.extends: extends makes a cycle: a (a.yml) → a (a.yml); remove one of these extends",
    ]);
    expect(
      await failures(
        {
          "a.yml": "services:\n  a: {extends: {service: b, file: b.yml}}\n",
          "b.yml": "services:\n  b: {extends: {service: a, file: a.yml}}\n",
        },
        ["a.yml"],
      ),
    ).toEqual([
      "b.yml:2:16: services.b.extends: extends makes a cycle: a (a.yml) → b (b.yml) → a (a.yml); remove one of these extends",
    ]);
  });

  it("refuses an extends that names no service, a missing file or a bad shape", async () => {
    const cases: [Record<string, string>, string][] = [
      [
        { "a.yml": "services:\n  a: {extends: nope}\n" },
        "a.yml:2:16: services.a.extends: there is no service nope in a.yml to extend; name one of its services",
      ],
      [
        { "a.yml": "services:\n  a: {extends: {service: x, file: gone.yml}}\n" },
        "a.yml:2:35: cannot read gone.yml to extend: file or directory does not exist",
      ],
      [
        { "a.yml": "services:\n  a: {extends: {service: x, file: b.yml}}\n", "b.yml": "services: [x]\n" },
        "b.yml:1:11: services: must be a map of service names to their definitions",
      ],
      [
        { "a.yml": "services:\n  a: {extends: [b]}\n" },
        "a.yml:2:16: services.a.extends: must name a service; write extends: NAME or extends: {service: NAME, file: FILE}",
      ],
      [
        { "a.yml": "services:\n  a: {extends: {name: b}}\n" },
        "a.yml:2:23: services.a.extends.name: is not a key of extends; write extends: NAME or extends: {service: NAME, file: FILE}",
      ],
      [
        { "a.yml": "services:\n  a: {extends: {file: b.yml}}\n" },
        "a.yml:2:16: services.a.extends.service: must name a service; write extends: NAME or extends: {service: NAME, file: FILE}",
      ],
    ];
    for (const [texts, error] of cases) expect(await failures(texts, ["a.yml"])).toEqual([error]);
  });
});
