import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookHandler } from "../../../src/gitsource/webhook.js";
import { signBody } from "../../../src/gitsource/webhookAuth.js";
import { startHttpServer, type RunningHttpServer } from "../../../src/http/server.js";

const SECRET = "a-long-enough-shared-secret";
const triggers: string[] = [];
let server: RunningHttpServer;

beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    registry: new Registry(),
    readiness: () => ({ ready: true }),
    status: () => ({ apps: [] }),
    postRoutes: {
      "/hooks/git": webhookHandler({
        secret: SECRET,
        logger: pino({ level: "silent" }),
        trigger: (reason) => triggers.push(reason),
        maxBodyBytes: 1024,
      }),
    },
  });
});
afterAll(() => server.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: "POST", body, headers });

describe("POST /hooks/git", () => {
  it("triggers a sync for a signed or token-bearing request, and only then", async () => {
    triggers.length = 0;
    const body = '{"ref":"refs/heads/main"}';
    expect((await post("/hooks/git", body)).status).toBe(401);
    expect(
      (
        await post("/hooks/git", body, {
          "x-hub-signature-256": signBody("wrong-secret-wrong", Buffer.from(body)),
        })
      ).status,
    ).toBe(401);
    expect(triggers).toEqual([]);
    expect(
      (await post("/hooks/git", body, { "x-hub-signature-256": signBody(SECRET, Buffer.from(body)) })).status,
    ).toBe(202);
    expect((await post("/hooks/git", "", { authorization: `Bearer ${SECRET}` })).status).toBe(202);
    expect((await post("/hooks/git", "", { "x-alacrity-token": SECRET })).status).toBe(202);
    expect(triggers).toEqual(["webhook", "webhook", "webhook"]);
  });

  it("refuses bodies over the limit with 413 and other methods with 405", async () => {
    triggers.length = 0;
    const res = await post("/hooks/git", "x".repeat(4096), { "x-alacrity-token": SECRET });
    expect(res.status).toBe(413);
    const get = await fetch(`${server.url}/hooks/git`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(triggers).toEqual([]);
  });

  it("leaves every other endpoint read-only", async () => {
    for (const path of ["/status", "/metrics", "/healthz", "/readyz"]) {
      expect((await post(path, "", { "x-alacrity-token": SECRET })).status).toBe(405);
    }
  });
});
