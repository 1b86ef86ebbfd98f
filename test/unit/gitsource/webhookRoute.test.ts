import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_WEBHOOK_BODY_LIMIT,
  MAX_BODIES_IN_FLIGHT,
  webhookHandler,
} from "../../../src/gitsource/webhook.js";
import { signBody } from "../../../src/gitsource/webhookAuth.js";
import { startHttpServer, type RunningHttpServer } from "../../../src/http/server.js";
import { rawConnection, within, type RawConnection } from "../../support/rawHttp.js";

const SECRET = "a-long-enough-shared-secret";
const triggers: string[] = [];
let server: RunningHttpServer;

/** A server with the webhook route only; `maxBodyBytes` undefined: the default limit. */
const startHooks = (maxBodyBytes?: number) =>
  startHttpServer({
    port: 0,
    registry: new Registry(),
    readiness: () => ({ ready: true }),
    status: () => ({ apps: [] }),
    postRoutes: {
      "/hooks/git": webhookHandler({
        secret: SECRET,
        logger: pino({ level: "silent" }),
        trigger: (reason) => triggers.push(reason),
        maxBodyBytes,
      }),
    },
  });

beforeAll(async () => {
  server = await startHooks(1024);
});
afterAll(() => server.close());

const post = (path: string, body: string, headers: Record<string, string> = {}, to = server) =>
  fetch(`${to.url}${path}`, { method: "POST", body, headers });

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

describe("POST /hooks/git with the default 1 MiB body limit, against unfinished requests", () => {
  let hooks: RunningHttpServer;
  const open: RawConnection[] = [];
  beforeAll(async () => {
    hooks = await startHooks();
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.socket.destroy();
  });
  afterAll(() => hooks.close());

  const head = (length: number, headers: Record<string, string> = {}) =>
    [
      "POST /hooks/git HTTP/1.1",
      "host: localhost",
      `content-length: ${length}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      "",
      "",
    ].join("\r\n");
  const connection = (text: string): RawConnection => {
    const c = rawConnection(hooks.port, text);
    open.push(c);
    return c;
  };

  it("answers a request without credentials or with a wrong token 401 before its body comes, and closes it", async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { "x-alacrity-token": "wrong" },
    ];
    for (const headers of refused) {
      const c = connection(head(DEFAULT_WEBHOOK_BODY_LIMIT, headers));
      expect(await within(5000, "401 before the body", c.response)).toMatchObject({ status: 401 });
      expect(c.now().headers).toContain("connection: close");
      await within(5000, "connection closed", c.closed);
    }
    // The control: a request with the token in its headers is accepted the same way, body unread.
    triggers.length = 0;
    const good = connection(head(DEFAULT_WEBHOOK_BODY_LIMIT, { "x-alacrity-token": SECRET }));
    expect(await within(5000, "202 before the body", good.response)).toMatchObject({ status: 202 });
    expect(triggers).toEqual(["webhook"]);
  });

  it(`reads at most ${MAX_BODIES_IN_FLIGHT} signed bodies at once, answering the others 503`, async () => {
    triggers.length = 0;
    const body = Buffer.from(`{"ref":"refs/heads/main","pad":"${"x".repeat(100)}"}`);
    const signed = head(body.length, { "x-hub-signature-256": signBody(SECRET, body) });
    const all = Array.from({ length: 20 }, () => connection(`${signed}${body.subarray(0, 10).toString()}`));
    await Promise.all(all.map((c) => c.ready));
    const refused: RawConnection[] = [];
    await within(
      5000,
      "503 for the requests past the bound",
      new Promise<void>((resolve) => {
        for (const c of all)
          void c.response.then((outcome) => {
            if (outcome.status === 503) refused.push(c);
            if (refused.length === all.length - MAX_BODIES_IN_FLIGHT) resolve();
          });
      }),
    );
    for (const c of refused) {
      expect(c.now().headers).toContain("retry-after: 1");
      expect(c.now().headers).toContain("connection: close");
    }
    const held = all.filter((c) => !refused.includes(c));
    expect(held.map((c) => c.now().status)).toEqual(Array(MAX_BODIES_IN_FLIGHT).fill(0));
    // A held request that finishes its body is read and accepted.
    held[0]!.socket.write(body.subarray(10));
    expect(await within(5000, "202 for a finished body", held[0]!.response)).toMatchObject({ status: 202 });
    // Once the others go away, a new signed request has its body read again.
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 202; attempt++) {
      const res = await post(
        "/hooks/git",
        body.toString(),
        { "x-hub-signature-256": signBody(SECRET, body) },
        hooks,
      );
      status = res.status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(202);
    expect(triggers).toEqual(["webhook", "webhook"]);
  });
});
