import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCompose } from "../../../../src/compose/load/index.js";

const fixtures = new URL("../../../fixtures/compose/load/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "alacrity-compose-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadCompose reads the files", () => {
  it("reads the files relative to cwd, the .env next to the first file, and extends files", async () => {
    const result = await loadCompose(["project/docker-compose.yml", "project/docker-compose.prod.yml"], {
      env: { TAG: "from-env" },
      cwd: fixtures,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings).toEqual([]);
    expect(result.document.files).toEqual(["project/docker-compose.yml", "project/docker-compose.prod.yml"]);
    expect(result.document.root).toEqual({
      services: {
        web: { environment: ["LOG_LEVEL=info"], image: "nginx:from-env", deploy: { replicas: 4 } },
      },
    });
    expect(result.document.locate(["services", "web", "environment", 0])).toEqual({
      file: "project/lib/base.yml",
      line: 4,
      col: 9,
    });
    expect(result.document.locate(["services", "web", "deploy", "replicas"])).toEqual({
      file: "project/docker-compose.prod.yml",
      line: 4,
      col: 17,
    });
  });

  it("reads --env-file instead of .env, and refuses one that does not exist", async () => {
    const result = await loadCompose(["envfile/stack.yml"], {
      env: {},
      envFile: "envfile/other.env",
      cwd: fixtures,
    });
    expect(result).toMatchObject({
      ok: true,
      document: { root: { services: { web: { image: "nginx:from-env-file" } } } },
    });
    const without = await loadCompose(["envfile/stack.yml"], { env: {}, cwd: fixtures });
    expect(without).toMatchObject({
      ok: true,
      document: { root: { services: { web: { image: "nginx:" } } } },
    });
    expect(
      await loadCompose(["envfile/stack.yml"], { env: {}, envFile: "envfile/none.env", cwd: fixtures }),
    ).toEqual({
      ok: false,
      errors: [{ file: "envfile/none.env", line: 1, col: 1, message: "file or directory does not exist" }],
    });
  });

  it("reports a file that cannot be read, a directory, or bytes that are not UTF-8, at file:line:col", async () => {
    writeFileSync(join(dir, "latin1.yml"), Buffer.from("services:\n  web: {image: caf\xe9}\n", "latin1"));
    const result = await loadCompose(["missing.yml", ".", "latin1.yml"], { env: {}, cwd: dir });
    expect(result).toEqual({
      ok: false,
      errors: [
        { file: "missing.yml", line: 1, col: 1, message: "file or directory does not exist" },
        { file: ".", line: 1, col: 1, message: "not a regular file" },
        { file: "latin1.yml", line: 2, col: 19, message: "invalid UTF-8 at byte 28; save the file as UTF-8" },
      ],
    });
  });
});
