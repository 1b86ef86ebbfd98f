import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertCompose } from "../../../../src/compose/convert/convertCompose.js";
import { formatFinding, importExitStatus } from "../../../../src/compose/convert/findings.js";
import { manifestText } from "../../../../src/compose/convert/manifestText.js";
import { parseManifest } from "../../../../src/manifest/index.js";
import { composeFromYaml } from "../../../support/composeFromYaml.js";

/*
 * The fixture corpus: each case under test/fixtures/compose/ (but load/, the loader's) is a
 * compose file (or `case.json` naming another case's, with the options: {"stack": "shop"}), its
 * env files, and what the import must give: expected/*.yaml and expected/report.txt (the report's
 * lines, then the exit status). The case is placed at /srv/<case> (the converter reads no file),
 * the output at /srv/<case>/apps. UPDATE_FIXTURES=1 rewrites the expected files.
 */

const ROOT = new URL("../../../fixtures/compose/", import.meta.url).pathname;
const CASES = readdirSync(ROOT).filter((name) => name !== "load" && existsSync(join(ROOT, name, "expected")));
const SCHEMA = "../../../../schema/app.schema.json";

interface CaseOptions {
  stack?: string;
  source?: string;
}

function convertCase(name: string) {
  const dir = join(ROOT, name);
  const options: CaseOptions = existsSync(join(dir, "case.json"))
    ? (JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as CaseOptions)
    : {};
  const source = join(ROOT, options.source ?? name);
  const projectDir = `/srv/${name}`;
  const envFiles = new Map(
    readdirSync(source)
      .filter((f) => f.endsWith(".env"))
      .map((f) => [`${projectDir}/${f}`, { text: readFileSync(join(source, f), "utf8") }]),
  );
  const document = composeFromYaml(readFileSync(join(source, "compose.yaml"), "utf8"), "compose.yaml");
  const result = convertCompose(document, {
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    projectDir,
    outDir: `${projectDir}/apps`,
    env: { HOME: "/home/user" },
    envFiles,
    hostPathRoots: ["/srv", "/mnt", "/data"],
  });
  const files = result.ok
    ? result.files.map((f) => ({ name: f.name, text: manifestText(f, ["compose.yaml"], SCHEMA) }))
    : [];
  const findings = result.ok ? result.findings : result.errors;
  const report = `${[...findings.map(formatFinding), `exit ${result.ok ? importExitStatus(findings) : 1}`].join("\n")}\n`;
  return { dir, files, report };
}

describe("the compose fixture corpus", () => {
  it("has cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of CASES) {
    it(`${name}: converts to the expected manifests and report`, () => {
      const { dir, files, report } = convertCase(name);
      const expectedDir = join(dir, "expected");
      if (process.env.UPDATE_FIXTURES === "1") {
        rmSync(expectedDir, { recursive: true, force: true });
        mkdirSync(expectedDir);
        for (const f of files) writeFileSync(join(expectedDir, f.name), f.text);
        writeFileSync(join(expectedDir, "report.txt"), report);
      }
      const expected = readdirSync(expectedDir)
        .filter((f) => f.endsWith(".yaml"))
        .sort();
      expect(files.map((f) => f.name).sort()).toEqual(expected);
      for (const f of files) expect(f.text, f.name).toBe(readFileSync(join(expectedDir, f.name), "utf8"));
      expect(report).toBe(readFileSync(join(expectedDir, "report.txt"), "utf8"));
    });

    it(`${name}: every output file is a valid manifest`, () => {
      const { files } = convertCase(name);
      for (const f of files) {
        const parsed = parseManifest(f.text, `apps/${f.name}`);
        expect(
          parsed.errors.map((e) => `${e.file}:${e.line}: ${e.path}: ${e.message}`),
          f.name,
        ).toEqual([]);
        expect(
          parsed.apps.length + parsed.networks.length + parsed.secrets.length + parsed.configs.length,
        ).toBe(f.text.split("\n---\n").length);
      }
    });
  }
});
