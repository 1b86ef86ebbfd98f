import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { Encrypter, armor, generateIdentity, identityToRecipient } from "age-encryption";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CONTENT_BYTES, resolveContents } from "../../../src/content/index.js";
import type { ContentSource, DesiredState, SecretSpec } from "../../../src/manifest/types.js";
import type { ResolvedContent } from "../../../src/reconcile/types.js";

const PLAINTEXT = "correct-horse-battery-staple";

let root: string;
let apps: string;
let identity: string;
let identityFile: string;
let wrongIdentity: string;
let wrongIdentityFile: string;
let ciphertext: Uint8Array;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "alacrity-content-"));
  apps = join(root, "apps");
  mkdirSync(join(apps, "secrets"), { recursive: true });
  mkdirSync(join(root, "outside"));
  writeFileSync(join(root, "outside", "stolen.txt"), "outside-content");
  identity = await generateIdentity();
  wrongIdentity = await generateIdentity();
  identityFile = join(root, "key.txt");
  wrongIdentityFile = join(root, "wrong-key.txt");
  writeFileSync(
    identityFile,
    `# created: today\n# public key: ${await identityToRecipient(identity)}\n${identity}\n`,
  );
  writeFileSync(wrongIdentityFile, `${wrongIdentity}\n`);
  const encrypter = new Encrypter();
  encrypter.addRecipient(await identityToRecipient(identity));
  ciphertext = await encrypter.encrypt(PLAINTEXT);
  writeFileSync(join(apps, "secrets", "db.age"), ciphertext);
  writeFileSync(join(apps, "secrets", "armored.age"), armor.encode(ciphertext));
  writeFileSync(join(apps, "secrets", "plain.txt"), PLAINTEXT);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const AT = { file: "secrets.yaml", line: 7, col: 9 };

function secret(name: string, from: ContentSource): SecretSpec {
  const field = `spec.${from.kind}`;
  return {
    name,
    labels: {},
    file: "secrets.yaml",
    source: { file: "secrets.yaml", line: 1, col: 1 },
    positions: { [field]: AT },
    from,
  };
}

function desiredWith(secrets: SecretSpec[], configs: SecretSpec[] = []): DesiredState {
  return {
    apps: new Map(),
    secrets: new Map(secrets.map((s) => [s.name, s])),
    configs: new Map(configs.map((c) => [c.name, c])),
    invalid: [],
    errors: [],
    failedFiles: new Set(),
    fileCount: 1,
    missing: false,
  };
}

async function resolveOne(from: ContentSource, options: { env?: NodeJS.ProcessEnv; key?: string } = {}) {
  const resolved = await resolveContents(desiredWith([secret("s", from)]), {
    appsDir: apps,
    env: options.env ?? {},
    ageIdentityFile: options.key,
  });
  return resolved.secrets.get("s");
}

function expectValue(result: ResolvedContent | undefined, expected: string | Buffer): void {
  expect(result?.ok).toBe(true);
  if (!result?.ok || !("value" in result)) throw new Error("expected a value");
  expect(result.value.read().equals(Buffer.from(expected))).toBe(true);
  expect(result.sha256).toBe(createHash("sha256").update(expected).digest("hex"));
}

/** The refusal's message, checked to be at the source's position and to reveal nothing. */
function refusal(result: ResolvedContent | undefined, alsoHidden: string[] = []): string {
  expect(result?.ok).toBe(false);
  if (result === undefined || result.ok) throw new Error("expected a refusal");
  expect(result.at).toEqual(AT);
  const shown = `${result.message} ${JSON.stringify(result)} ${inspect(result)}`;
  for (const hidden of [
    PLAINTEXT,
    identity,
    wrongIdentity,
    Buffer.from(ciphertext).toString("latin1").slice(0, 40),
    ...alsoHidden,
  ]) {
    expect(shown).not.toContain(hidden);
  }
  expect(shown).not.toMatch(/AGE-SECRET-KEY-1[0-9A-Z]{8}/);
  return result.message;
}

describe("resolveContents: files", () => {
  it("reads a plain file and hashes its bytes", async () => {
    expectValue(await resolveOne({ kind: "file", path: "secrets/plain.txt" }), PLAINTEXT);
  });

  it("decrypts an .age file with the right identity, binary or armored", async () => {
    expectValue(await resolveOne({ kind: "file", path: "secrets/db.age" }, { key: identityFile }), PLAINTEXT);
    expectValue(
      await resolveOne({ kind: "file", path: "secrets/armored.age" }, { key: identityFile }),
      PLAINTEXT,
    );
  });

  it("refuses an .age file with a wrong identity, naming neither key nor content", async () => {
    const message = refusal(
      await resolveOne({ kind: "file", path: "secrets/db.age" }, { key: wrongIdentityFile }),
    );
    expect(message).toContain("secrets/db.age");
    expect(message).toContain("cannot be decrypted");
    expect(message).toContain("--age-key-file");
  });

  it("refuses an .age file when no identity is given", async () => {
    const message = refusal(await resolveOne({ kind: "file", path: "secrets/db.age" }));
    expect(message).toMatch(/no identity was given: pass --age-key-file FILE or set ALACRITY_AGE_KEY_FILE/);
  });

  it("refuses an .age file when the identity file is missing or holds no identity", async () => {
    const missing = refusal(
      await resolveOne({ kind: "file", path: "secrets/db.age" }, { key: join(root, "nope") }),
    );
    expect(missing).toContain("does not exist");
    const garbage = join(root, "garbage-key.txt");
    const typo = `${identity.slice(0, -3)}xyz`;
    writeFileSync(garbage, `# a comment\n${typo}\n`);
    const bad = refusal(await resolveOne({ kind: "file", path: "secrets/db.age" }, { key: garbage }), [typo]);
    expect(bad).toContain("line 2 that is not an age identity");
  });

  it("refuses an .age file that is not age at all", async () => {
    writeFileSync(join(apps, "secrets", "fake.age"), PLAINTEXT);
    const message = refusal(
      await resolveOne({ kind: "file", path: "secrets/fake.age" }, { key: identityFile }),
    );
    expect(message).toContain("is not a valid age file");
  });

  it("refuses a symlink, or a directory link on the way, that leads outside the apps directory", async () => {
    symlinkSync(join(root, "outside", "stolen.txt"), join(apps, "secrets", "link.txt"));
    symlinkSync(join(root, "outside"), join(apps, "elsewhere"));
    for (const path of ["secrets/link.txt", "elsewhere/stolen.txt"]) {
      const message = refusal(await resolveOne({ kind: "file", path }));
      expect(message).toContain("outside the apps directory");
      expect(message).not.toContain("outside-content");
    }
    const dotted = refusal(await resolveOne({ kind: "file", path: "../outside/stolen.txt" }));
    expect(dotted).toContain("outside the apps directory");
  });

  it("follows a symlink that stays inside the apps directory", async () => {
    symlinkSync("plain.txt", join(apps, "secrets", "inside-link.txt"));
    expectValue(await resolveOne({ kind: "file", path: "secrets/inside-link.txt" }), PLAINTEXT);
  });

  it("refuses a FIFO without hanging", async () => {
    execFileSync("mkfifo", [join(apps, "secrets", "pipe")]);
    const message = refusal(await resolveOne({ kind: "file", path: "secrets/pipe" }));
    expect(message).toContain("not a regular file");
  }, 5_000);

  it("refuses a missing file and a directory, saying what to do", async () => {
    expect(refusal(await resolveOne({ kind: "file", path: "secrets/missing.txt" }))).toMatch(
      /secrets\/missing\.txt .*does not exist; create it/,
    );
    expect(refusal(await resolveOne({ kind: "file", path: "secrets" }))).toContain("is a directory");
  });

  it("refuses a file over Swarm's 500 KB limit", async () => {
    writeFileSync(join(apps, "secrets", "big.bin"), Buffer.alloc(MAX_CONTENT_BYTES + 1));
    writeFileSync(join(apps, "secrets", "edge.bin"), Buffer.alloc(MAX_CONTENT_BYTES));
    expect(refusal(await resolveOne({ kind: "file", path: "secrets/big.bin" }))).toContain("at most 500 KB");
    expect((await resolveOne({ kind: "file", path: "secrets/edge.bin" }))?.ok).toBe(true);
  });

  it("stays inside a given boundary narrower than the directory", async () => {
    const resolved = await resolveContents(
      desiredWith([secret("s", { kind: "file", path: "secrets/plain.txt" })]),
      {
        appsDir: apps,
        env: {},
        within: { real: join(apps, "other"), name: "the checkout" },
      },
    );
    expect(refusal(resolved.secrets.get("s"))).toContain("outside the checkout");
  });
});

describe("resolveContents: env, data, external", () => {
  it("reads the controller's environment; empty is a value, unset is refused", async () => {
    expectValue(
      await resolveOne({ kind: "env", variable: "DB_PASSWORD" }, { env: { DB_PASSWORD: PLAINTEXT } }),
      PLAINTEXT,
    );
    expectValue(await resolveOne({ kind: "env", variable: "EMPTY" }, { env: { EMPTY: "" } }), "");
    const message = refusal(await resolveOne({ kind: "env", variable: "FOO" }, { env: {} }));
    expect(message).toBe(
      "spec.env: the controller's environment has no FOO; set it where alacrity runs or change spec.env",
    );
  });

  it("passes an external name through and takes a Config's data as it is", async () => {
    expect(await resolveOne({ kind: "external", name: "prod-cert" })).toEqual({
      ok: true,
      external: "prod-cert",
    });
    const resolved = await resolveContents(
      desiredWith([], [secret("c", { kind: "data", data: "listen 80;\n" })]),
      {
        appsDir: apps,
        env: {},
      },
    );
    expectValue(resolved.configs.get("c"), "listen 80;\n");
  });

  it("resolves every document even when some fail", async () => {
    const resolved = await resolveContents(
      desiredWith([
        secret("bad", { kind: "env", variable: "UNSET" }),
        secret("good", { kind: "file", path: "secrets/plain.txt" }),
      ]),
      { appsDir: apps, env: {} },
    );
    expect(resolved.secrets.get("bad")?.ok).toBe(false);
    expectValue(resolved.secrets.get("good"), PLAINTEXT);
  });

  it("hashes random bytes right and reveals them in no serialisation of the result", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (raw) => {
        const bytes = Buffer.from(raw);
        writeFileSync(join(apps, "secrets", "random.bin"), bytes);
        const result = await resolveOne({ kind: "file", path: "secrets/random.bin" });
        expectValue(result, bytes);
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        expect(JSON.parse(JSON.stringify(result))).toEqual({ ok: true, sha256, value: "(hidden)" });
        const shown = { ok: true, sha256, value: { [inspect.custom]: () => "(hidden)" } };
        expect(inspect(result)).toBe(inspect(shown));
      }),
      { numRuns: 50 },
    );
  });
});
