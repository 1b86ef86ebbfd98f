import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const loadDirectory = pathToFileURL(join(repoRoot, "src/manifest/loader/index.ts")).href;

/**
 * In a process of its own (this one has loaded the YAML library long ago): a resolve hook
 * reports every import of yaml or zod on stderr, and the script says when it is done.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "alacrity-warm-"));
  writeFileSync(
    join(root, "hook.mjs"),
    `export async function resolve(specifier, context, next) {
  if (/^(yaml|zod)(\\/|$)/.test(specifier)) process.stderr.write("imported " + specifier + "\\n");
  return next(specifier, context);
}`,
  );
  writeFileSync(
    join(root, "register.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(root, "hook.mjs")).href)});\n`,
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function importsOf(body: string): Promise<string> {
  const script = join(root, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `const m = await import(${JSON.stringify(loadDirectory)});\n${body}\n`);
  const { stderr } = await run(
    process.execPath,
    ["--import", "tsx", "--import", join(root, "register.mjs"), script],
    { cwd: repoRoot, timeout: 30_000 },
  );
  return stderr;
}

describe("warmParser", () => {
  it("loads the YAML and schema libraries in the background, which loading the module alone does not", async () => {
    // The control: importing the directory loader leaves the parser unloaded.
    expect(await importsOf("await new Promise((r) => setTimeout(r, 300));")).not.toContain("imported");
    const warmed = await importsOf("m.warmParser();\nawait new Promise((r) => setTimeout(r, 3000));");
    expect(warmed).toContain("imported yaml");
    expect(warmed).toContain("imported zod");
  }, 60_000);
});
