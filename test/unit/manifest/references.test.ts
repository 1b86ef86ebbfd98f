import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../../src/manifest/loader/index.js";
import { formatError } from "../../../src/manifest/types.js";

/*
 * The loader's checks across files for Network, Secret and Config documents (issue 16), on a
 * real directory: declared references, broken documents, duplicates, content files.
 */

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ha-refs-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, text: string): void {
  mkdirSync(join(root, relative, ".."), { recursive: true });
  writeFileSync(join(root, relative), text);
}

function doc(kind: string, name: string, ...spec: string[]): string {
  return [
    "apiVersion: alacrity.dev/v1",
    `kind: ${kind}`,
    `metadata: {name: ${name}}`,
    "spec:",
    ...spec,
    "",
  ].join("\n");
}

const load = () => loadDesiredState(root);

describe("references across files", () => {
  it("fills the desired state's networks, secrets and configs, spec.file relative to the apps directory", async () => {
    write(
      "web.yaml",
      doc(
        "App",
        "web",
        "  image: busybox:1",
        "  networks: [default, back]",
        "  secrets: [pw]",
        "  configs: [prom]",
      ),
    );
    write("net/back.yaml", doc("Network", "back", "  internal: true"));
    write(
      "conf/docs.yaml",
      [doc("Secret", "pw", "  env: PW"), doc("Config", "prom", "  file: prometheus.yml")].join("---\n"),
    );
    write("conf/prometheus.yml", "global: {scrape_interval: 15s}\n");
    const state = await load();
    expect(state.errors.map(formatError)).toEqual([]);
    expect([...state.apps.keys()]).toEqual(["web"]);
    expect([...(state.networks?.keys() ?? [])]).toEqual(["back"]);
    expect(state.secrets?.get("pw")?.from).toEqual({ kind: "env", variable: "PW" });
    expect(state.configs?.get("prom")?.from).toEqual({ kind: "file", path: "conf/prometheus.yml" });
    // The content file is not counted (nor reported) as a manifest, and is named as content.
    expect(state.fileCount).toBe(3);
    expect([...(state.contentFiles ?? [])]).toEqual(["conf/prometheus.yml"]);
  });

  it("makes an app with an undeclared reference invalid, at the reference, and keeps its file", async () => {
    write("web.yaml", doc("App", "web", "  image: busybox:1", "  secrets: [db-password]"));
    const state = await load();
    expect(state.errors.map(formatError)).toEqual([
      `${root}/web.yaml:6:13: spec.secrets[0]: secret db-password is not declared; add a kind: Secret document named db-password or remove it from spec.secrets`,
    ]);
    expect(state.apps.size).toBe(0);
    expect(state.invalid).toEqual([expect.objectContaining({ name: "web", kind: "App" })]);
    expect(state.failedFiles.has("web.yaml")).toBe(true);
  });

  it("says which document is broken when an app refers to an invalid one", async () => {
    write("web.yaml", doc("App", "web", "  image: busybox:1", "  networks: [back]"));
    write("back.yaml", doc("Network", "back", "  internal: maybe"));
    const state = await load();
    expect(state.errors.map(formatError)).toContain(
      `${root}/web.yaml:6:14: spec.networks[0]: network back is invalid (see ${root}/back.yaml:5:13); fix that document`,
    );
    expect(state.apps.size).toBe(0);
    expect(state.failedFiles).toEqual(new Set(["web.yaml", "back.yaml"]));
  });

  it("refuses a name defined twice in one kind, but allows it across kinds", async () => {
    write("a.yaml", [doc("Secret", "x", "  env: A"), doc("Config", "x", "  data: b")].join("---\n"));
    write("b.yaml", doc("Secret", "x", "  env: B"));
    const state = await load();
    expect(state.errors.map(formatError)).toEqual([
      `${root}/a.yaml:3:18: metadata.name: secret "x" is also defined at ${root}/b.yaml:3:18; secret names must be unique, rename or remove one`,
      `${root}/b.yaml:3:18: metadata.name: secret "x" is also defined at ${root}/a.yaml:3:18; secret names must be unique, rename or remove one`,
    ]);
    expect([...(state.configs?.keys() ?? [])]).toEqual(["x"]);
    expect(state.secrets?.size).toBe(0);
  });

  it("refuses a spec.file outside the apps directory", async () => {
    write("a.yaml", doc("Secret", "pw", "  file: ../../etc/passwd"));
    const state = await load();
    expect(state.errors.map(formatError)).toEqual([
      `${root}/a.yaml:5:9: spec.file: the file "../../etc/passwd" is outside the apps directory; keep the secret's file in the apps directory`,
    ]);
    expect(state.secrets?.size).toBe(0);
  });

  it("resolves spec.file for where the manifest is now when a cached parse of the same text is reused", async () => {
    const text = doc("Config", "prom", "  file: prometheus.yml");
    write("a/docs.yaml", text);
    expect((await load()).configs?.get("prom")?.from).toEqual({ kind: "file", path: "a/prometheus.yml" });
    rmSync(join(root, "a"), { recursive: true });
    write("b/c/docs.yaml", text);
    expect((await load()).configs?.get("prom")?.from).toEqual({ kind: "file", path: "b/c/prometheus.yml" });
  });
});
