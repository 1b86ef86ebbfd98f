import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Encrypter, generateIdentity, identityToRecipient } from "age-encryption";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { execInService } from "../../support/serviceExec.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";

/*
 * A web app and its database as a user would wire them: one network, a password as a secret,
 * a script as a config, on the real Swarm. This kernel has no IPVS, so the service's virtual IP
 * does not route here: the apps talk through `tasks.NAME`, the tasks' own addresses (on a normal
 * host `NAME` works too; no test here claims it).
 */
const INSTANCE = "t-stk";
const P = "t-stk-";
const docker = newDocker();
let dir: AppsDir;

const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE], { timeoutMs: 180_000 });
const apply = (...extra: string[]) => cli("apply", "--dir", dir.path, "--wait", "--timeout", "90", ...extra);
const plan = (...extra: string[]) => cli("plan", "--dir", dir.path, ...extra);

const doc = (kind: string, name: string, spec: Record<string, unknown>) =>
  stringify({ apiVersion: "alacrity.dev/v1", kind, metadata: { name }, spec });

const LOGIN = [
  "#!/bin/sh",
  'echo "Content-Type: text/plain"',
  'echo ""',
  `if [ "$QUERY_STRING" = "$(cat /run/secrets/${P}pw)" ]; then echo "logged in"; else echo "wrong password"; fi`,
  "",
].join("\n");

/** A web server that answers `/` with `page`. */
const server = (page: string) => ({
  command: ["sh", "-c", `mkdir -p /www && echo ${page} > /www/index.html && exec httpd -f -p 8080 -h /www`],
});

/** What the web app gets when it logs in to the database with the password it was given. */
const login = () => get(`${P}web`, `${P}db`, `/cgi-bin/login?$(cat /run/secrets/${P}pw)`);

/**
 * The body of `GET path` from `server`'s task, asked from inside `client`'s container (busybox's
 * wget crashes in this image; its nc does HTTP/1.0 well enough), or "unreachable".
 */
async function get(client: string, server: string, path: string): Promise<string> {
  const request = `printf "GET ${path} HTTP/1.0\\r\\n\\r\\n" | busybox nc -w 3 tasks.${server} 8080 | tail -n 1`;
  const { stdout } = await execInService(docker, client, [
    "sh",
    "-c",
    `answer=$(${request}); echo "\${answer:-unreachable}"`,
  ]);
  return stdout.trim();
}

async function secretNames(): Promise<string[]> {
  const secrets = await docker.listSecrets();
  return secrets.map((s) => s.Spec?.Name ?? "").filter((n) => n.startsWith(`alacran--${P}`));
}

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir = new AppsDir("alacrity-stack");
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
});

describe("a two-tier stack on the real Swarm", () => {
  it("wires a web app to its database by name, with the password as a secret nowhere in the spec", async () => {
    writeFileSync(join(dir.path, "pw.txt"), "s3cretA1");
    writeFileSync(join(dir.path, "login.sh"), LOGIN);
    dir.write("secrets.yaml", doc("Secret", `${P}pw`, { file: "pw.txt" }));
    dir.write("config.yaml", doc("Config", `${P}login`, { file: "login.sh" }));
    dir.write(
      "db.yaml",
      appYaml(`${P}db`, {
        ...server("db"),
        persistent: true,
        secrets: [`${P}pw`],
        configs: [{ name: `${P}login`, target: "/www/cgi-bin/login", mode: 0o555 }],
      }),
    );
    dir.write("web.yaml", appYaml(`${P}web`, { ...server("web"), secrets: [`${P}pw`] }));

    const planned = await plan();
    expect(planned.stdout).toContain(`+ create secret alacran--${P}pw--`);
    expect(planned.stdout).not.toContain("s3cretA1");
    const applied = await apply();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain("s3cretA1");

    expect(await login()).toBe("logged in");
    const inDb = await execInService(docker, `${P}db`, ["cat", `/run/secrets/${P}pw`]);
    expect(inDb.stdout).toBe("s3cretA1");
    const inspected = JSON.stringify(await docker.getService(`${P}db`).inspect());
    expect(inspected).toContain(`alacran--${P}pw--`);
    expect(inspected).not.toContain("s3cretA1");

    const again = await plan();
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
  });

  it("rotates a secret: a new Swarm secret, both apps updated, the old secret removed", async () => {
    const before = await secretNames();
    expect(before).toHaveLength(1);
    writeFileSync(join(dir.path, "pw.txt"), "s3cretB2");
    const planned = await plan();
    expect(planned.stdout).toMatch(/changed \(value hidden\)/);
    expect(planned.stdout).not.toContain("s3cretB2");
    const applied = await apply();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const after = await secretNames();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(await login()).toBe("logged in");
    expect((await plan()).stdout).toContain("No changes");
  });

  it("keeps an app on an internal network out of reach of apps outside it", async () => {
    dir.write("back.yaml", doc("Network", `${P}back`, { internal: true }));
    dir.write("inside.yaml", appYaml(`${P}inside`, { ...server("inside"), networks: [`${P}back`] }));
    dir.write("peer.yaml", appYaml(`${P}peer`, { ...server("peer"), networks: [`${P}back`] }));
    const applied = await apply();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // Positive control: a peer on the same network reaches it (once Swarm's DNS has its task).
    await eventually(async () => (await get(`${P}peer`, `${P}inside`, "/")) === "inside", {
      timeoutMs: 30_000,
      what: `${P}peer reaching ${P}inside`,
    });
    expect(await get(`${P}web`, `${P}inside`, "/")).toBe("unreachable");
  });

  it("decrypts an .age secret with the right identity, and rejects only its app with a wrong one", async () => {
    const keys = mkdtempSync(join(tmpdir(), "alacrity-age-"));
    try {
      const identity = await generateIdentity();
      const stranger = await generateIdentity();
      writeFileSync(join(keys, "key.txt"), `# a test key\n${identity}\n`);
      const encrypt = async (to: string, text: string) => {
        const encrypter = new Encrypter();
        encrypter.addRecipient(await identityToRecipient(to));
        return encrypter.encrypt(text);
      };
      writeFileSync(join(dir.path, "ours.age"), await encrypt(identity, "ageValue7"));
      dir.write("age.yaml", doc("Secret", `${P}ours`, { file: "ours.age" }));
      dir.write("ageuser.yaml", appYaml(`${P}ageuser`, { secrets: [`${P}ours`] }));
      const applied = await apply("--age-key-file", join(keys, "key.txt"));
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      const inside = await execInService(docker, `${P}ageuser`, ["cat", `/run/secrets/${P}ours`]);
      expect(inside.stdout).toBe("ageValue7");

      // A file encrypted to someone else: its app is rejected with where and why, the rest stays.
      writeFileSync(join(dir.path, "theirs.age"), await encrypt(stranger, "otherValue8"));
      dir.write("age2.yaml", doc("Secret", `${P}theirs`, { file: "theirs.age" }));
      dir.write("agebad.yaml", appYaml(`${P}agebad`, { secrets: [`${P}theirs`] }));
      const refused = await apply("--age-key-file", join(keys, "key.txt"));
      expect(refused.code).toBe(1);
      const out = refused.stdout + refused.stderr;
      expect(out).toMatch(new RegExp(`reject ${P}agebad: .*age2\\.yaml:\\d+:\\d+: .*cannot be decrypted`));
      expect(out).not.toContain("otherValue8");
      expect(out).not.toContain("ageValue7");
      expect(await docker.listServices({ filters: { name: [`${P}agebad`] } })).toEqual([]);
      // Positive control: the app whose secret could be read is still there, unchanged.
      const again = await plan("--age-key-file", join(keys, "key.txt"));
      expect(again.stdout).not.toContain(`${P}ageuser (`);
      expect((await execInService(docker, `${P}ageuser`, ["cat", `/run/secrets/${P}ours`])).stdout).toBe(
        "ageValue7",
      );
    } finally {
      rmSync(keys, { recursive: true, force: true });
    }
  });
});
