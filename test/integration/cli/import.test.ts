import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";

/*
 * `alacrity import` through the built binary: a compose file with a database, a web app, a
 * network, a secret and a config becomes a directory that `validate` passes and that `plan`
 * shows as creates against the real Swarm (nothing is applied).
 */
const INSTANCE = "t-imp";
const work = mkdtempSync(join(tmpdir(), "alacrity-import-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const COMPOSE = `services:
  t-imp-web:
    image: alacrity-test/busybox:1
    command: httpd -f -p 8080
    environment: { DB_PASSWORD_FILE: /run/secrets/t-imp-pw }
    ports: ["18090:8080"]
    networks: [t-imp-net]
    secrets: [t-imp-pw]
    configs: [{ source: t-imp-conf, target: /etc/app.conf }]
    deploy: { replicas: 2 }
  t-imp-db:
    image: alacrity-test/busybox:1
    command: ["sleep", "infinity"]
    volumes: [t-imp-data:/data]
    networks: [t-imp-net]
networks:
  t-imp-net: {}
volumes:
  t-imp-data: {}
secrets:
  t-imp-pw: { file: ./apps/pw.txt }
configs:
  t-imp-conf: { file: ./apps/app.conf }
`;

describe("alacrity import", () => {
  it("writes manifests that validate and plan as creates, and refuses to overwrite them", async () => {
    writeFileSync(join(work, "compose.yaml"), COMPOSE);
    const apps = join(work, "apps");
    const first = await runCli(["import", join(work, "compose.yaml"), "--out", apps]);
    // The new, empty volume is a warning: complete with warnings.
    expect(first.stderr).toContain("becomes the new, empty volume alacran--t-imp-data");
    expect(first.code).toBe(2);
    expect(readFileSync(join(apps, "t-imp-db.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=.*schema\/app\.schema\.json\n/,
    );

    // The secret and config files are inside the output directory: nothing to copy.
    writeFileSync(join(apps, "pw.txt"), "s3cret-imp");
    writeFileSync(join(apps, "app.conf"), "x=1\n");
    const validate = await runCli(["validate", apps]);
    expect(validate.stderr).toContain("valid");
    expect(validate.code).toBe(0);

    const plan = await runCli(["plan", "--dir", apps, "--instance", INSTANCE, "--output", "json"]);
    expect(plan.code).toBe(2);
    const actions = (JSON.parse(plan.stdout) as { actions: { kind: string; app: string }[] }).actions;
    expect(
      actions
        .filter((a) => a.kind === "create")
        .map((a) => a.app)
        .sort(),
    ).toEqual(["t-imp-db", "t-imp-web"]);
    expect(plan.stdout).not.toContain("s3cret-imp");

    const again = await runCli(["import", join(work, "compose.yaml"), "--out", apps]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("give --force to overwrite");
    const forced = await runCli(["import", join(work, "compose.yaml"), "--out", apps, "--force"]);
    expect(forced.code).toBe(2);
  });
});
