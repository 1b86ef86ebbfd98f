import { describe, expect, it } from "vitest";
import { failures, loaded, where } from "./memoryProject.js";

describe("loading a compose project", () => {
  it("merges the files in order and locates each value in the file that set it last", async () => {
    const { document, warnings } = await loaded(
      {
        "a.yml": 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n',
        "b.yml": "services:\n  web:\n    deploy:\n      replicas: 3\n",
      },
      ["a.yml", "b.yml"],
    );
    expect(warnings).toEqual([]);
    expect(document.files).toEqual(["a.yml", "b.yml"]);
    // `version` is accepted and dropped.
    expect(document.root).toEqual({ services: { web: { image: "nginx", deploy: { replicas: 3 } } } });
    expect(where(document.locate(["services", "web", "deploy", "replicas"]))).toBe("b.yml:4:17");
    expect(where(document.locate(["services", "web", "image"]))).toBe("a.yml:4:12");
    // A path that is not there: its nearest written ancestor.
    expect(where(document.locate(["services", "web", "image", "nope"]))).toBe("a.yml:4:12");
    expect(where(document.locate(["services", "web", "ports", 0]))).toBe("b.yml:3:5");
  });

  it("interpolates every string value from the environment, then the env file, but not keys", async () => {
    const { document } = await loaded(
      {
        "a.yml": "services:\n  web:\n    image: ${IMAGE}:${TAG}\n    labels:\n      ${KEY}: $$literal\n",
        ".env": "IMAGE=from-file\nTAG=1.0\n",
      },
      ["a.yml"],
      { env: { IMAGE: "from-env", UNRELATED: undefined }, envFile: ".env" },
    );
    expect(document.root).toEqual({
      services: { web: { image: "from-env:1.0", labels: { ["${KEY}"]: "$literal" } } },
    });
  });

  it("reads a plain integer with a leading 0 as octal, as docker/cli does; quoted, it is a string", async () => {
    const { document } = await loaded(
      {
        "a.yml":
          "services:\n  web:\n    configs: [{source: c, mode: 0440}, {source: d, mode: 0o640}, {source: e, mode: 440}]\n    user: '0440'\n    stop_grace_period: 08\n",
      },
      ["a.yml"],
    );
    expect(document.root.services).toEqual({
      web: {
        configs: [
          { source: "c", mode: 0o440 },
          { source: "d", mode: 0o640 },
          { source: "e", mode: 440 },
        ],
        user: "0440",
        stop_grace_period: 8,
      },
    });
  });

  it("casts interpolated values where docker/cli gives the key a type", async () => {
    const { document } = await loaded(
      {
        "a.yml":
          "services:\n  web:\n    deploy:\n      replicas: ${N}\n      update_config: {max_failure_ratio: '${R}'}\n    read_only: ${RO}\n    ports: [{target: '${P}'}]\n    environment: {N: '${N}'}\n    image: '3'\n",
      },
      ["a.yml"],
      { env: { N: "3", R: "0.5", RO: "yes", P: "80" } },
    );
    expect(document.root).toEqual({
      services: {
        web: {
          deploy: { replicas: 3, update_config: { max_failure_ratio: 0.5 } },
          read_only: true,
          ports: [{ target: 80 }],
          environment: { N: "3" },
          image: "3",
        },
      },
    });
    expect(
      await failures({ "a.yml": "services:\n  web:\n    deploy:\n      replicas: ${N}\n" }, ["a.yml"], {
        env: { N: "three" },
      }),
    ).toEqual(["a.yml:4:17: services.web.deploy.replicas: after interpolation the value must be an integer"]);
  });

  it("a missing required variable is an error at its position, naming it and the message", async () => {
    const errors = await failures(
      { "a.yml": "services:\n  web:\n    image: app:${TAG:?set the release tag}\n    user: ${U?}\n" },
      ["a.yml"],
    );
    expect(errors).toEqual([
      "a.yml:3:16: services.web.image: required variable TAG is not set: set the release tag; set TAG in the environment or the env file",
      "a.yml:4:11: services.web.user: required variable U is not set; set U in the environment or the env file",
    ]);
    await expect(
      loaded({ "a.yml": "services:\n  web:\n    image: app:${TAG:?set the release tag}\n" }, ["a.yml"], {
        env: { TAG: "1" },
      }),
    ).resolves.toMatchObject({ document: { root: { services: { web: { image: "app:1" } } } } });
  });

  it("an invalid interpolation is an error at its position; a quoted value is located inside its quotes", async () => {
    expect(await failures({ "a.yml": 'services:\n  web:\n    image: "a $5"\n' }, ["a.yml"])).toEqual([
      'a.yml:3:15: services.web.image: invalid interpolation: "$" must be followed by a variable name or "{"; write $$ for a literal $',
    ]);
  });

  it("an unset variable becomes an empty string with one warning per variable, at its first use", async () => {
    const { document, warnings } = await loaded(
      {
        "a.yml": "services:\n  web:\n    image: x${GONE}\n    user: ${GONE}\n",
        "b.yml": "services:\n  web:\n    hostname: $GONE-${ALSO}\n",
      },
      ["a.yml", "b.yml"],
    );
    expect(document.root).toEqual({ services: { web: { image: "x", user: "", hostname: "-" } } });
    expect(warnings.map((w) => `${where(w)}: ${w.message}`)).toEqual([
      "a.yml:3:13: variable GONE is not set, so it is replaced by an empty string; set it in the environment or the env file, or give it a default: ${GONE:-default}",
      "b.yml:3:21: variable ALSO is not set, so it is replaced by an empty string; set it in the environment or the env file, or give it a default: ${ALSO:-default}",
    ]);
  });

  it("a bad env file line is an error with its file and line", async () => {
    expect(
      await failures({ "a.yml": "services: {}\n", ".env": "A=1\nNOT A LINE\n" }, ["a.yml"], {
        envFile: ".env",
      }),
    ).toEqual([".env:2:4: unexpected space after the variable name NOT; write KEY=value"]);
  });

  it("YAML anchors, aliases and merge keys work; values keep the position where they were written", async () => {
    const { document } = await loaded(
      {
        "a.yml": [
          "x-defaults: &defaults",
          "  restart: always",
          "  deploy: {replicas: 2}",
          "x-more: &more {user: nobody, restart: never}",
          "services:",
          "  web:",
          "    <<: [*defaults, *more]",
          "    image: web",
          "  api:",
          "    <<: *defaults",
          "    restart: on-failure",
          "    environment: &env {A: '1'}",
          "  worker:",
          "    environment: *env",
          "",
        ].join("\n"),
      },
      ["a.yml"],
    );
    expect(document.root.services).toEqual({
      web: { restart: "always", deploy: { replicas: 2 }, user: "nobody", image: "web" },
      api: { restart: "on-failure", deploy: { replicas: 2 }, environment: { A: "1" } },
      worker: { environment: { A: "1" } },
    });
    expect(where(document.locate(["services", "web", "deploy", "replicas"]))).toBe("a.yml:3:22");
    expect(where(document.locate(["services", "web", "user"]))).toBe("a.yml:4:22");
    expect(where(document.locate(["services", "api", "restart"]))).toBe("a.yml:11:14");
  });

  it("refuses what is not a compose file with its position", async () => {
    const cases: [string, string][] = [
      ["services: [web]\n", "a.yml:1:11: services: must be a map of service names to their definitions"],
      ["- a\n- b\n", "a.yml:1:1: the top level of a compose file must be a map with a services key"],
      [
        "services:\n  web: nginx\n",
        "a.yml:2:8: services.web: a service must be a map of its keys (image, deploy, …)",
      ],
      ["", "a.yml:1:1: the file is empty; a compose file is a map with a services key"],
      [
        "services: {}\n---\nservices: {}\n",
        "a.yml:3:1: a compose file holds one YAML document; put the others in files of their own",
      ],
      ["services:\n  web: {image: a\n", "a.yml:3:1: YAML syntax error: "],
      [
        "services:\n  web: {}\n  web: {}\n",
        "a.yml:3:3: duplicate key; each key may appear only once in a map",
      ],
      [
        "services:\n  [a]: {}\n",
        "a.yml:2:3: a key must be a name (a string or a number), not a list, a map or null",
      ],
      [
        "x: &x 1\nservices:\n  web:\n    <<: *x\n",
        "a.yml:1:7: a merge key (<<) takes a map or a list of maps, such as <<: *defaults",
      ],
    ];
    for (const [text, error] of cases) {
      const errors = await failures({ "a.yml": text }, ["a.yml"]);
      expect(errors[0]).toContain(error);
    }
    await expect(loaded({ "a.yml": "services: {web: {image: a}}\n" }, ["a.yml"])).resolves.toBeTruthy();
  });

  it("reports an unreadable file, and errors of every file", async () => {
    expect(await failures({ "a.yml": "services: [x]\n" }, ["a.yml", "missing.yml"])).toEqual([
      "a.yml:1:11: services: must be a map of service names to their definitions",
      "missing.yml:1:1: file or directory does not exist",
    ]);
  });
});
