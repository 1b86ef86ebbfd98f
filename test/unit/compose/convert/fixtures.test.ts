import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { convertCompose } from "../../../../src/compose/convert/convertCompose.js";
import { envFilePaths } from "../../../../src/compose/convert/environment.js";
import {
  formatFinding,
  formatLoadError,
  importExitStatus,
  importFindings,
} from "../../../../src/compose/convert/findings.js";
import { manifestText } from "../../../../src/compose/convert/manifestText.js";
import { loadCompose } from "../../../../src/compose/load/loadCompose.js";
import { parseManifest } from "../../../../src/manifest/index.js";

/*
 * The fixture corpus: each case under test/fixtures/compose/ (but load/, the loader's) is a
 * folder of compose files, read by the real loader as `alacrity import` run in that folder reads
 * them, and what the import must give: expected/*.yaml and expected/report.txt (the report's
 * lines, then the exit status). An optional `case.json` gives the import's options:
 * `{"files": ["compose.yaml", "compose.prod.yaml"], "envFile": "prod.env", "env": {"TAG": "2"},
 * "stack": "shop", "source": "shop"}` (`source`: read another case's folder; `files` defaults to
 * compose.yaml). The converter sees the case at /srv/<case> (so that host paths stay the same on
 * every machine), the output at /srv/<case>/apps; env files are read from the case's folder.
 * UPDATE_FIXTURES=1 rewrites the expected files.
 */

const ROOT = new URL("../../../fixtures/compose/", import.meta.url).pathname;
const CASES = readdirSync(ROOT).filter((name) => name !== "load" && existsSync(join(ROOT, name, "expected")));
const SCHEMA = "../../../../schema/app.schema.json";

interface CaseOptions {
  stack?: string;
  source?: string;
  files?: string[];
  envFile?: string;
  env?: Record<string, string>;
}

async function convertCase(name: string) {
  const dir = join(ROOT, name);
  const options: CaseOptions = existsSync(join(dir, "case.json"))
    ? (JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as CaseOptions)
    : {};
  const source = join(ROOT, options.source ?? name);
  const composeFiles = options.files ?? ["compose.yaml"];
  const env = { HOME: "/home/user", ...options.env };
  const loaded = await loadCompose(composeFiles, {
    env,
    cwd: source,
    ...(options.envFile === undefined ? {} : { envFile: options.envFile }),
  });
  if (!loaded.ok)
    return { dir, files: [], report: `${[...loaded.errors.map(formatLoadError), "exit 1"].join("\n")}\n` };
  const projectDir = `/srv/${name}`;
  const envFiles = new Map(
    envFilePaths(loaded.document.root, projectDir).map((path) => {
      const real = join(source, relative(projectDir, path));
      return [path, existsSync(real) ? { text: readFileSync(real, "utf8") } : { error: "ENOENT" }];
    }),
  );
  const result = convertCompose(loaded.document, {
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    projectDir,
    outDir: `${projectDir}/apps`,
    env,
    envFiles,
    hostPathRoots: ["/srv", "/mnt", "/data"],
  });
  const files = result.ok
    ? result.files.map((f) => ({ name: f.name, text: manifestText(f, composeFiles, SCHEMA) }))
    : [];
  const findings = result.ok ? importFindings(loaded.warnings, result.findings) : result.errors;
  const report = `${[...findings.map(formatFinding), `exit ${result.ok ? importExitStatus(findings) : 1}`].join("\n")}\n`;
  return { dir, files, report };
}

describe("the compose fixture corpus", () => {
  it("has cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of CASES) {
    it(`${name}: converts to the expected manifests and report`, async () => {
      const { dir, files, report } = await convertCase(name);
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

    it(`${name}: every output file is a valid manifest`, async () => {
      const { files } = await convertCase(name);
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
