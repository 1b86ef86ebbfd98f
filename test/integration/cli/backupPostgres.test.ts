import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import type { CliResult } from "../../support/cli.js";
import { AppsDir, appYaml, HELPER_IMAGE } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { execInService } from "../../support/serviceExec.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import type { BackupResult } from "../../../src/maintenance/backup.js";

/*
 * Issue 19 with a real database: PostgreSQL 15 (scripts/build-postgres-image.sh) as a persistent
 * app with a health check. A backup is taken of committed rows, the data is then damaged the way
 * a bad migration would (a table dropped, rows changed), and a restore brings the database back
 * to the backup: the server starts on the restored files, healthy, with the rows as they were.
 */

const INSTANCE = "t-bkpg";
const P = "t-bkpg-";
const APP = `${P}db`;
const PG_IMAGE = process.env.ALACRITY_POSTGRES_IMAGE ?? "alacrity-test/postgres:15";
const docker = newDocker();
const hostRoot = mkdtempSync(join(tmpdir(), "alacrity-bkpg-"));
const backups = join(hostRoot, "backups");
let dir: AppsDir;

const env = { ALACRITY_HELPER_IMAGE: HELPER_IMAGE, ALACRITY_INSTANCE: INSTANCE };
const show = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
const cli = (args: string[]) => runCli(args, { env, timeoutMs: 240_000 });
const policy = ["--allow-host-path", hostRoot];

/** Runs SQL in the app's running container; its output, unaligned and without headers. */
async function sql(statement: string): Promise<string> {
  return eventually(
    async () => {
      const r = await execInService(docker, APP, [
        "psql",
        "-U",
        "postgres",
        "-d",
        "shop",
        "-At",
        "-c",
        statement,
      ]);
      if (r.code !== 0) throw new Error(`psql: exit ${r.code}: ${r.stderr}`);
      return r.stdout.trim();
    },
    { timeoutMs: 60_000, what: `psql: ${statement}` },
  );
}

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  mkdirSync(backups, { recursive: true });
  dir = new AppsDir("alacrity-bkpg");
  dir.write(
    "db.yaml",
    appYaml(APP, {
      image: PG_IMAGE,
      command: undefined,
      persistent: true,
      env: { POSTGRES_DB: "shop" },
      volumes: [{ name: `${P}pgdata`, containerPath: "/var/lib/postgresql/data" }],
      healthcheck: { test: ["CMD", "pg_isready", "-U", "postgres"], interval: "1s", retries: 30 },
    }),
  );
  const applied = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "120"]);
  expect(applied.code, show(applied)).toBe(0);
}, 240_000);

afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir.dispose();
  rmSync(hostRoot, { recursive: true, force: true });
}, 120_000);

describe("backup and restore of a real PostgreSQL", () => {
  it("a restore undoes a bad migration: the dropped table and the changed rows are back", async () => {
    await sql(
      "create table orders(id int primary key, item text); insert into orders select g, 'item ' || g from generate_series(1, 10000) g;",
    );
    const backup = await cli(["backup", APP, "--backup-dir", backups, ...policy, "--output", "json"]);
    expect(backup.code, show(backup)).toBe(0);
    const { archive, downtimeMs } = JSON.parse(backup.stdout) as BackupResult;
    console.log(
      `postgres backup: ${archive.bytes} bytes, out of service ${(downtimeMs / 1000).toFixed(1)} s`,
    );
    // Started again healthy: it answers at once.
    expect(await sql("select count(*) from orders")).toBe("10000");

    // The bad migration, committed.
    await sql("update orders set item = 'lost' where id <= 5000; create table audit(x int);");
    await sql("drop table orders");
    expect(await sql("select count(*) from pg_tables where tablename = 'orders'")).toBe("0");

    const restore = await cli(["restore", APP, archive.path, ...policy]);
    expect(restore.code, show(restore)).toBe(0);
    expect(await sql("select count(*), count(*) filter (where item = 'lost') from orders")).toBe("10000|0");
    expect(await sql("select item from orders where id = 4242")).toBe("item 4242");
    expect(await sql("select count(*) from pg_tables where tablename = 'audit'")).toBe("0");
  }, 300_000);
});
