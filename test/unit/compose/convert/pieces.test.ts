import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { convertCompose } from "../../../../src/compose/convert/convertCompose.js";
import { envFileVars } from "../../../../src/compose/convert/environment.js";
import { importExitStatus } from "../../../../src/compose/convert/findings.js";
import { APP_NAME_MAX, manifestName, nameTable } from "../../../../src/compose/convert/names.js";
import { shellWords } from "../../../../src/compose/convert/shellWords.js";
import { NAME_PATTERN } from "../../../../src/manifest/schema.js";
import { loaded } from "../load/memoryProject.js";

const OPTIONS = {
  projectDir: "/srv/p",
  outDir: "/srv/p/apps",
  env: {},
  envFiles: new Map(),
  hostPathRoots: ["/srv"],
};

/** The App spec and findings of a one-service compose file, read by the real loader. */
async function convertOne(service: string, extra = "", stack?: string) {
  const { document } = await loaded({ "compose.yaml": `services:\n  s:\n${service}\n${extra}` }, [
    "compose.yaml",
  ]);
  const result = convertCompose(document, {
    ...OPTIONS,
    ...(stack ? { stack } : {}),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const app = result.files.find((f) => f.service === "s")?.documents[0] as { spec: Record<string, unknown> };
  return { spec: app.spec, findings: result.findings, files: result.files };
}

describe("shellWords", () => {
  it("splits as a shell does: quotes, escapes, comments", () => {
    expect(shellWords(`postgres -c 'max_connections=200' "a b" c\\ d #x`)).toEqual({
      words: ["postgres", "-c", "max_connections=200", "a b", "c d"],
    });
    expect(shellWords(`echo "unclosed`)).toEqual({ error: "a double quote is not closed" });
  });

  it("gives back any list of words written single-quoted", () => {
    const word = fc.string({ minLength: 1 }).filter((w) => !w.includes("'"));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1 }), (words) => {
        expect(shellWords(words.map((w) => `'${w}'`).join(" "))).toEqual({ words });
      }),
    );
  });
});

describe("names", () => {
  it("maps any compose name to a valid AlaCrity name or to none", () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const mapped = manifestName(name, APP_NAME_MAX);
        if (mapped === undefined) expect(/[a-zA-Z0-9]/.test(name)).toBe(false);
        else {
          expect(mapped).toMatch(NAME_PATTERN);
          expect(manifestName(mapped, APP_NAME_MAX)).toBe(mapped);
        }
      }),
    );
  });

  it("refuses two names that map to one, and keeps the others", () => {
    const table = nameTable("service", ["web_app", "Web-App", "db"], APP_NAME_MAX);
    expect(table.names.get("db")).toBe("db");
    expect(table.errors).toHaveLength(1);
    expect(table.errors[0]?.message).toContain('would be named "web-app"');
  });
});

describe("env files", () => {
  it("reads KEY=VALUE literally, skips comments, and refuses a name with blanks", () => {
    expect(envFileVars("A=1\n# c\n\n  B='x y'\nC\n")).toEqual({
      vars: [
        { key: "A", value: "1" },
        { key: "B", value: "'x y'" },
        { key: "C", value: undefined },
      ],
    });
    expect(envFileVars("A B=1")).toEqual({ error: '"A B" is not a variable name', line: 1 });
  });
});

describe("service fields", () => {
  it("expands equal port ranges and reports unequal ones", async () => {
    const { spec, findings } = await convertOne(
      `    image: nginx\n    ports: ["8000-8001:80-81/udp", "9000-9002:90-91", 53]`,
    );
    expect(spec.ports).toEqual([
      { target: 80, published: 8000, protocol: "udp" },
      { target: 81, published: 8001, protocol: "udp" },
      { target: 53 },
    ]);
    expect(findings.map((f) => f.key)).toEqual(["services.s.ports[1]"]);
  });

  it("reports host-mode publishing as not expressible (exit 1), ingress as fine", async () => {
    const host = await convertOne(`    image: nginx\n    ports: [{target: 80, published: 8080, mode: host}]`);
    const ingress = await convertOne(
      `    image: nginx\n    ports: [{target: 80, published: 8080, mode: ingress}]`,
    );
    expect(importExitStatus(host.findings)).toBe(1);
    expect(importExitStatus(ingress.findings)).toBe(0);
    expect(ingress.spec.ports).toEqual([{ target: 80, published: 8080 }]);
  });

  it("with --stack, mounts the stack's volume by its full name and keeps the service's alias", async () => {
    const volumes = "volumes:\n  data: {}\n  old: {external: true, name: legacy_data}";
    const { spec, findings } = await convertOne(
      `    image: postgres:16\n    volumes: [data:/var/lib/data, old:/old]`,
      volumes,
      "shop",
    );
    expect(spec.volumes).toEqual([
      { external: "shop_data", containerPath: "/var/lib/data" },
      { external: "legacy_data", containerPath: "/old" },
    ]);
    expect(spec.networks).toEqual([{ name: "shop-default", aliases: ["s"] }]);
    expect(importExitStatus(findings)).toBe(0);
  });

  it("without --stack, a named volume is a new label-based one, with a warning", async () => {
    const { spec, findings } = await convertOne(
      `    image: postgres:16\n    volumes: [data:/var/lib/data]`,
      "volumes:\n  data: {}",
    );
    expect(spec.volumes).toEqual([{ name: "data", containerPath: "/var/lib/data" }]);
    expect(spec.persistent).toBe(true);
    expect(findings.map((f) => [f.severity, f.key])).toEqual([["warning", "services.s.volumes[0]"]]);
  });

  it("reports a tmpfs and an anonymous volume, and a stateless service stays non-persistent", async () => {
    const { spec, findings } = await convertOne(
      `    image: nginx\n    volumes: [/cache, {type: tmpfs, target: /run}]`,
    );
    expect(spec.persistent).toBeUndefined();
    expect(findings.map((f) => f.severity)).toEqual(["unsupported", "unsupported"]);
  });

  it("maps healthcheck forms and the legacy restart", async () => {
    expect((await convertOne(`    image: nginx\n    healthcheck: {test: ["NONE"]}`)).spec.healthcheck).toBe(
      "none",
    );
    const bare = await convertOne(`    image: nginx\n    healthcheck: {test: ["CMD"], interval: 5s}`);
    expect(bare.spec.healthcheck).toBeUndefined();
    expect(bare.findings.map((f) => [f.severity, f.key])).toEqual([
      ["unsupported", "services.s.healthcheck.test"],
    ]);
    expect(
      (await convertOne(`    image: nginx\n    healthcheck: {test: ["CMD", "true"]}`)).spec.healthcheck,
    ).toEqual({
      test: ["CMD", "true"],
    });
    expect((await convertOne(`    image: nginx\n    restart: unless-stopped`)).spec.restart).toEqual({
      condition: "any",
    });
    expect((await convertOne(`    image: nginx\n    restart: "no"`)).spec.restart).toBeUndefined();
  });

  it("reports an unknown key as not expressible, and an x- extension as a note", async () => {
    const { findings } = await convertOne(`    image: nginx\n    x-owner: me\n    fancy_key: 1`);
    expect(findings.map((f) => [f.severity, f.key])).toEqual([
      ["note", "services.s.x-owner"],
      ["unsupported", "services.s.fancy_key"],
    ]);
  });

  it("never puts an env value into the report", async () => {
    const { spec, findings } = await convertOne(
      `    image: nginx\n    environment: {"BAD-NAME": "hunter2-secret", GOOD: "s3cr3t-value"}`,
    );
    expect(spec.env).toEqual({ GOOD: "s3cr3t-value" });
    const text = JSON.stringify(findings);
    expect(text).toContain("BAD-NAME");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("s3cr3t");
  });

  it("orders the report by file in merge order, then by line, with files only extends names last", async () => {
    const { document } = await loaded(
      {
        "compose.yaml":
          "services:\n  a:\n    image: x\n    extends: {service: b, file: lib/base.yml}\n    user: me\n  c:\n    image: x\n    tty: true\n",
        "lib/base.yml": "services:\n  b:\n    init: true\n",
        "compose.prod.yaml": "services:\n  a:\n    read_only: true\n",
      },
      ["compose.yaml", "compose.prod.yaml"],
    );
    const result = convertCompose(document, OPTIONS);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.key}`)).toEqual([
      "compose.yaml:5 services.a.user",
      "compose.yaml:8 services.c.tty",
      "compose.prod.yaml:3 services.a.read_only",
      "lib/base.yml:3 services.a.init",
    ]);
  });
});
