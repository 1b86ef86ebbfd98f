import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import { DockerError } from "../../../src/swarm/errors.js";
import { LABEL } from "../../../src/domain/names.js";
import type { ContentValue, ServiceFields } from "../../../src/swarm/types.js";
import { docker, engine, serviceByName, sleeper, sweep } from "./helpers.js";
import { execIn, runningContainer } from "./containerExec.js";

const PREFIX = "t-swarm-cnt-";
const SECRET = `${PREFIX}db-password--0123456789ab`;
const CONFIG = `${PREFIX}nginx-conf--0123456789ab`;
const VALUE = "s3cr3t-value-of-the-test\n";
const CONFIG_TEXT = "listen 8080;\n";

/** As src/content's values do: the bytes only through read(), "(hidden)" however printed. */
const hidden = (text: string): ContentValue => ({
  read: () => Buffer.from(text),
  toJSON: () => "(hidden)",
});
const labels = { [LABEL.managed]: "true", [LABEL.resource]: "db-password" };

async function removeOurContents(): Promise<void> {
  const secrets = (await docker.listSecrets()) as unknown as { ID: string; Spec?: { Name?: string } }[];
  await Promise.all(
    secrets
      .filter((secret) => secret.Spec?.Name?.startsWith(PREFIX))
      .map((secret) =>
        docker
          .getSecret(secret.ID)
          .remove()
          .catch(() => undefined),
      ),
  );
  const configs = await docker.listConfigs();
  await Promise.all(
    configs
      .filter((config) => config.Spec?.Name.startsWith(PREFIX))
      .map((config) =>
        docker
          .getConfig(config.ID)
          .remove()
          .catch(() => undefined),
      ),
  );
}

beforeAll(async () => {
  await sweep(PREFIX);
  await removeOurContents();
});

afterAll(async () => {
  await sweep(PREFIX);
  await removeOurContents();
});

const mounting = (app: string): ServiceFields =>
  sleeper({
    labels: { "alacrity.test": "swarm", [LABEL.managed]: "true", [LABEL.app]: app },
    secrets: [{ source: SECRET, target: "/run/secrets/db-password", uid: "0", gid: "0", mode: 0o400 }],
    configs: [{ source: CONFIG, target: "/etc/app/nginx.conf", uid: "0", gid: "0", mode: 0o444 }],
  });

describe("create-content", () => {
  it("creates a secret and a config with our labels, and a second create of the same name is fine", async () => {
    for (let i = 0; i < 2; i++) {
      await execute(engine, {
        kind: "create-content",
        of: "secret",
        name: SECRET,
        labels,
        value: hidden(VALUE),
      });
      await execute(engine, {
        kind: "create-content",
        of: "config",
        name: CONFIG,
        labels,
        value: hidden(CONFIG_TEXT),
      });
    }
    const observed = await observe(engine);
    expect(observed.secrets?.find((secret) => secret.name === SECRET)?.labels).toEqual(labels);
    expect(observed.configs?.find((config) => config.name === CONFIG)?.labels).toEqual(labels);
    // A content config is not a pin record, and a pin record is not a content config.
    expect(observed.pins.some((pin) => pin.configId === observed.configs?.[0]?.id)).toBe(false);
  });
});

describe("a service mounting a secret and a config", () => {
  const app = `${PREFIX}reader`;

  it("sees their content at their targets, and its spec holds no value", async () => {
    await execute(engine, { kind: "create", app, fields: mounting(app) });
    const container = await runningContainer(app);
    const secret = await execIn(container, ["cat", "/run/secrets/db-password"]);
    expect(secret.output).toBe(VALUE);
    const config = await execIn(container, ["cat", "/etc/app/nginx.conf"]);
    expect(config.output).toBe(CONFIG_TEXT);

    const inspected = JSON.stringify(await docker.getService((await serviceByName(app)).ID).inspect());
    expect(inspected).not.toContain(VALUE.trim());
    expect(inspected).not.toContain(Buffer.from(VALUE).toString("base64"));
  });

  it("reads back by name through observe, so a no-op stays a no-op", async () => {
    const observed = (await observe(engine)).services.find((service) => service.name === app);
    expect(observed?.fields).toEqual(mounting(app));
  });

  it("updates to new content by name, with the new IDs looked up", async () => {
    const next = `${PREFIX}db-password--ba9876543210`;
    await execute(engine, { kind: "create-content", of: "secret", name: next, labels, value: hidden("v2") });
    const service = await serviceByName(app);
    const fields = mounting(app);
    fields.secrets = [{ source: next, target: "/run/secrets/db-password", uid: "0", gid: "0", mode: 0o400 }];
    await execute(engine, {
      kind: "update",
      app,
      serviceId: service.ID,
      version: service.Version?.Index ?? 0,
      fields,
    });
    const updated = (await docker.getService(service.ID).inspect()) as Docker.Service;
    expect(updated.Spec?.TaskTemplate).toMatchObject({
      ContainerSpec: { Secrets: [{ SecretName: next }] },
    });
    // The first secret is free again; the config is still mounted.
    const secretId = (await observe(engine)).secrets?.find((secret) => secret.name === SECRET)?.id ?? "";
    await execute(engine, { kind: "remove-content", of: "secret", id: secretId, name: SECRET });
    expect((await observe(engine)).secrets?.some((secret) => secret.name === SECRET)).toBe(false);
  });

  it("a missing secret fails the create with a clear, non-retryable error", async () => {
    const fields = mounting(`${PREFIX}missing`);
    fields.secrets = [{ source: `${PREFIX}nope`, target: "nope", uid: "0", gid: "0", mode: 0o400 }];
    const error = await execute(engine, { kind: "create", app: `${PREFIX}missing`, fields }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DockerError);
    expect((error as DockerError).message).toMatch(/secret t-swarm-cnt-nope does not exist on the Swarm/);
    expect((error as DockerError).retryable).toBe(false);
  });
});

describe("remove-content", () => {
  it("of a config in use gives a clear error, not retried", async () => {
    const id = (await observe(engine)).configs?.find((config) => config.name === CONFIG)?.id ?? "";
    const error = await execute(engine, { kind: "remove-content", of: "config", id, name: CONFIG }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DockerError);
    expect((error as DockerError).message).toMatch(
      /^cannot remove config t-swarm-cnt-nginx-conf--0123456789ab: .*in use.*t-swarm-cnt-reader.*spec\.configs/,
    );
    expect((error as DockerError).retryable).toBe(false);
  });

  it("of one already gone is done", async () => {
    await expect(
      execute(engine, { kind: "remove-content", of: "secret", id: "t-swarm-cnt-gone", name: "gone" }),
    ).resolves.toBeUndefined();
  });
});
