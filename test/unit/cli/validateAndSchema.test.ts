import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The real CLI, spawned as users run it (through tsx, so no build is needed).
const repo = new URL("../../../", import.meta.url).pathname;
const main = join(repo, "src/cli/main.ts");

function alacrity(args: string[], options: { asNobody?: boolean; env?: Record<string, string> } = {}) {
  const command = ["node", "--import", "tsx", main, ...args];
  const [file, ...rest] = options.asNobody
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...command]
    : command;
  const env = { ...process.env, ...options.env };
  const result = spawnSync(file!, rest, { cwd: repo, encoding: "utf8", timeout: 60_000, env });
  return {
    status: result.status,
    stdout: result.stdout.split("\n").filter(Boolean),
    stderr: result.stderr.split("\n").filter(Boolean),
  };
}

const temp = mkdtempSync(join(tmpdir(), "alacrity-cli-"));
// Readable by the unprivileged user the "not readable" case runs as: only the file is locked.
chmodSync(temp, 0o755);
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("alacrity validate", { timeout: 60_000 }, () => {
  it("exits 0 on the examples", () => {
    const result = alacrity(["validate", "examples/apps"]);
    expect(result).toEqual({
      status: 0,
      stdout: [],
      stderr: ["4 files valid (3 apps, 1 secret, 2 configs)"],
    });
  });

  it("exits 1 and prints FILE:LINE:COL: path: message for each error", () => {
    const result = alacrity([
      "validate",
      "test/fixtures/invalid/persistent-replicas.yaml",
      "test/fixtures/invalid/unknown-field.yaml",
      "test/fixtures/valid",
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toEqual([
      "test/fixtures/invalid/persistent-replicas.yaml:8:13: spec.replicas: a persistent app cannot have more than 1 replica (got 3); persistent apps are pinned to one node",
      'test/fixtures/invalid/unknown-field.yaml:6:3: spec.image: required field is missing; add "image:" to spec',
      'test/fixtures/invalid/unknown-field.yaml:6:3: spec.imag: unknown field; did you mean "image"?',
    ]);
    expect(result.stderr).toEqual(["3 errors in 5 files"]);
  });

  it("reports a directory that does not exist", () => {
    const result = alacrity(["validate", "no/such/dir"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toEqual(["no/such/dir:1:1: file or directory does not exist"]);
  });

  it("reports hostile files one line each, quickly, without crashing", () => {
    const dir = join(temp, "hostile");
    rmSync(dir, { recursive: true, force: true });
    spawnSync("mkdir", ["-p", dir]);
    writeFileSync(join(dir, "big.yaml"), "#".repeat(3 * 1024 * 1024));
    writeFileSync(join(dir, "binary.yaml"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]));
    writeFileSync(join(dir, "deep.yaml"), `a: ${"[".repeat(200_000)}`);
    writeFileSync(join(dir, "empty.yml"), "");
    writeFileSync(join(dir, "latin1.yaml"), Buffer.from([0x6b, 0x3a, 0x20, 0xe9, 0x0a]));
    const started = Date.now();
    const result = alacrity(["validate", dir]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.status).toBe(1);
    expect(result.stdout).toEqual([
      `${dir}/big.yaml:1:1: the file is too large (3145728 bytes; the limit is 1048576); split it into several files`,
      `${dir}/binary.yaml:1:7: not a text file (it contains NUL bytes)`,
      `${dir}/deep.yaml:1:68: nesting is deeper than 64 levels; this is not an App manifest`,
      `${dir}/empty.yml:1:1: the file contains no manifest; add an App document or delete the file`,
      `${dir}/latin1.yaml:1:4: invalid UTF-8 at byte 3; save the file as UTF-8`,
    ]);
    expect(result.stderr.join("\n")).not.toContain("internal error");
  });

  it("reports a file it may not read", () => {
    const file = join(temp, "secret.yaml");
    writeFileSync(file, "a: 1\n");
    chmodSync(file, 0o000);
    // root reads anything, so read as nobody when running as root.
    const result = alacrity(["validate", file], { asNobody: process.getuid?.() === 0 });
    expect(result.status).toBe(1);
    expect(result.stdout).toEqual([
      `${file}:1:1: cannot read it: permission denied; make it readable for the user running alacrity`,
    ]);
  });

  it("prints each error on one line, whatever newlines the file name and the key hold", () => {
    const forged = "No changes: the Swarm matches the manifests.";
    const dir = mkdtempSync(join(temp, "forge-"));
    writeFileSync(
      join(dir, `a\n${forged}\n.yaml`),
      `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: web\n  labels: {"k\\n${forged}": v}\nspec: {image: busybox}\n`,
    );
    const result = alacrity(["validate", dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toEqual([
      `${dir}/a\\n${forged}\\n.yaml:5:12: metadata.labels["k\\n${forged}"]: label key must not contain control characters or line breaks (got "k\\n${forged}"); remove them`,
    ]);
  });

  it("applies the host-path policy: /etc is refused at its position, whatever the allowed roots", () => {
    const dir = join(temp, "hostpaths");
    rmSync(dir, { recursive: true, force: true });
    spawnSync("mkdir", ["-p", dir]);
    const app = (name: string, hostPath: string) =>
      [
        "apiVersion: alacrity.dev/v1",
        "kind: App",
        `metadata: {name: ${name}}`,
        "spec:",
        "  image: nginx:1",
        "  persistent: true",
        "  volumes:",
        "    - containerPath: /data",
        `      hostPath: ${hostPath}`,
        "",
      ].join("\n");
    writeFileSync(join(dir, "etc.yaml"), app("etc-reader", "/etc"));
    writeFileSync(join(dir, "opt.yaml"), app("opt-data", "/opt/data"));
    writeFileSync(join(dir, "srv.yaml"), app("srv-data", "/srv/data"));
    const etc = `${dir}/etc.yaml:9:17: spec.volumes[0].hostPath: binding /etc is refused: it is /etc, which would give the app control of the node`;

    const byDefault = alacrity(["validate", dir]);
    expect(byDefault.status).toBe(1);
    expect(byDefault.stdout).toEqual([
      `${etc}; bind a directory under /srv instead`,
      `${dir}/opt.yaml:9:17: spec.volumes[0].hostPath: binding /opt/data is refused: it is not under an allowed data root (/srv, /mnt, /data); move the data there or let the operator allow its root with --allow-host-path ROOT`,
    ]);
    expect(byDefault.stderr).toEqual(["2 errors in 3 files"]);

    // Allowing /opt (and keeping /srv) accepts /opt/data; /etc stays refused.
    const allowed = alacrity(["validate", dir, "--allow-host-path", "/srv", "--allow-host-path", "/opt"]);
    expect(allowed.status).toBe(1);
    expect(allowed.stdout).toEqual([`${etc}; bind a directory under /srv instead`]);

    rmSync(join(dir, "etc.yaml"));
    const fromEnv = alacrity(["validate", dir], { env: { ALACRITY_ALLOW_HOST_PATH: "/srv:/opt" } });
    expect(fromEnv).toEqual({ status: 0, stdout: [], stderr: ["2 files valid (2 apps)"] });
    // The flag replaces the defaults: /srv is no longer allowed when only /opt is.
    const onlyOpt = alacrity(["validate", dir, "--allow-host-path", "/opt"]);
    expect(onlyOpt.status).toBe(1);
    expect(onlyOpt.stdout).toEqual([
      `${dir}/srv.yaml:9:17: spec.volumes[0].hostPath: binding /srv/data is refused: it is not under an allowed data root (/opt); move the data there or let the operator allow its root with --allow-host-path ROOT`,
    ]);
  });

  it("needs at least one path", () => {
    const result = alacrity(["validate"]);
    expect(result.status).toBe(1);
    expect(result.stderr.join("\n")).toContain("missing required argument 'paths'");
  });
});

describe("alacrity schema and --version", { timeout: 60_000 }, () => {
  it("prints the committed JSON Schema", () => {
    const result = spawnSync("node", ["--import", "tsx", main, "schema"], { cwd: repo, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(repo, "schema/app.schema.json"), "utf8"));
  });

  it("prints the package version", () => {
    const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string };
    expect(alacrity(["--version"])).toEqual({ status: 0, stdout: [version], stderr: [] });
  });

  it("rejects an unknown command with a usage error, not an internal error", () => {
    const result = alacrity(["frobnicate"]);
    expect(result.status).toBe(1);
    expect(result.stderr.join("\n")).toContain("unknown command 'frobnicate'");
    expect(result.stderr.join("\n")).not.toContain("internal error");
  });
});
