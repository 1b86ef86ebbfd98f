import { describe, expect, it } from "vitest";
import { FETCH_BACKOFF, nextFetchDelay } from "../../../src/gitsource/backoff.js";
import { parseDuration } from "../../../src/gitsource/duration.js";
import { credentialSecrets, gitEnvironment, looksCorrupt } from "../../../src/gitsource/gitCommand.js";
import { redactText, redactUrl, urlSecrets } from "../../../src/gitsource/redact.js";
import { signBody, verifyBody, verifyHeaders } from "../../../src/gitsource/webhookAuth.js";

const SECRET = "s3cret-s3cret-s3cret";
const body = Buffer.from('{"ref":"refs/heads/main"}');

/** Both stages, as the webhook route runs them. */
function verify(headers: Record<string, string>, requestBody: Buffer, secret: string) {
  const verdict = verifyHeaders(headers, secret);
  return verdict.ok === "needs-body" ? verifyBody(verdict.signature, requestBody, secret) : verdict;
}

describe("verifyHeaders and verifyBody", () => {
  it("accepts a GitHub HMAC of the body and refuses it for another body or secret", () => {
    const sig = signBody(SECRET, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyHeaders({ "x-hub-signature-256": sig }, SECRET)).toEqual({
      ok: "needs-body",
      signature: sig,
    });
    expect(verify({ "x-hub-signature-256": sig }, body, SECRET)).toEqual({ ok: true, method: "hmac" });
    expect(
      verify({ "x-hub-signature-256": sig.toUpperCase().replace("SHA256", "sha256") }, body, SECRET).ok,
    ).toBe(true);
    expect(verify({ "x-hub-signature-256": sig }, Buffer.from("{}"), SECRET).ok).toBe(false);
    expect(verify({ "x-hub-signature-256": signBody("other-secret-xxxxx", body) }, body, SECRET).ok).toBe(
      false,
    );
    expect(verify({ "x-hub-signature-256": "sha256=abc" }, body, SECRET).ok).toBe(false);
  });

  it("accepts the secret as a Bearer token or X-Alacrity-Token from the headers alone, and nothing else", () => {
    expect(verifyHeaders({ authorization: `Bearer ${SECRET}` }, SECRET)).toEqual({
      ok: true,
      method: "bearer",
    });
    expect(verifyHeaders({ "x-alacrity-token": SECRET }, SECRET)).toEqual({
      ok: true,
      method: "token",
    });
    expect(verifyHeaders({ authorization: `Bearer ${SECRET}x` }, SECRET).ok).toBe(false);
    expect(verifyHeaders({ authorization: `Basic ${SECRET}` }, SECRET).ok).toBe(false);
    expect(verifyHeaders({ "x-alacrity-token": SECRET.slice(1) }, SECRET).ok).toBe(false);
    const unsigned = verifyHeaders({}, SECRET);
    expect(unsigned.ok).toBe(false);
    if (unsigned.ok === false) expect(unsigned.reason).toMatch(/unsigned/);
  });

  it("never accepts anything when the secret is empty", () => {
    expect(verifyHeaders({ authorization: "Bearer " }, "").ok).toBe(false);
    expect(verify({ "x-hub-signature-256": signBody("", body) }, body, "").ok).toBe(false);
    expect(verifyBody(signBody("", body), body, "").ok).toBe(false);
  });
});

describe("redaction", () => {
  it("removes the userinfo of URLs and leaves the rest", () => {
    expect(redactUrl("https://user:tok3n@git.example.com/a/b.git")).toBe(
      "https://***@git.example.com/a/b.git",
    );
    expect(redactUrl("https://tok3n@git.example.com/a.git")).toBe("https://***@git.example.com/a.git");
    expect(redactUrl("https://git.example.com/a.git")).toBe("https://git.example.com/a.git");
    expect(redactUrl("file:///srv/repo.git")).toBe("file:///srv/repo.git");
    expect(redactUrl("git@github.com:org/repo.git")).toBe("git@github.com:org/repo.git");
  });

  it("hides a password containing @ whole: the userinfo ends at the last @ of the authority", () => {
    expect(redactUrl("https://user:p@ss@git.example.com/a/b.git")).toBe(
      "https://***@git.example.com/a/b.git",
    );
    expect(redactUrl("https://user:p@s@s@git.example.com:8443/a.git")).toBe(
      "https://***@git.example.com:8443/a.git",
    );
    // An @ in the path is not userinfo.
    expect(redactUrl("https://git.example.com/@scope/a.git")).toBe("https://git.example.com/@scope/a.git");
    // Not a URL the parser accepts (a "/" in the password): everything up to the last @ goes.
    expect(redactUrl("https://user:p/ss@git.example.com/a.git")).toBe("https://***@git.example.com/a.git");
  });

  it("hides every query parameter's value (GitLab's ?private_token=)", () => {
    expect(redactUrl("https://git.example.com/a.git?private_token=abc")).toBe(
      "https://git.example.com/a.git?private_token=***",
    );
    expect(redactUrl("https://u:pw@git.example.com/a.git?x=1&token=abc&bare#frag")).toBe(
      "https://***@git.example.com/a.git?x=***&token=***&***#***",
    );
    for (const url of [
      "https://git.example.com/a.git?private_token=abc",
      "https://user:p@ss@git.example.com/a.git",
    ]) {
      const out = redactUrl(url);
      expect(out).not.toMatch(/abc|p@ss|ss@/);
      expect(out).toContain("git.example.com/a.git");
    }
  });

  it("hides both forms inside git's messages", () => {
    const text =
      "fatal: unable to access 'https://user:p@ss@h/r.git/?private_token=abc123': 403; " +
      "also https://h2/x.git?t=zzz and git@github.com:org/repo.git";
    const out = redactText(text);
    expect(out).not.toMatch(/p@ss|ss@|abc123|zzz/);
    expect(out).toContain("'https://***@h/r.git/?private_token=***'");
    expect(out).toContain("https://h2/x.git?t=***");
    expect(out).toContain("git@github.com:org/repo.git");
  });

  it("lists the URL's password and query token, as written and decoded, for git's messages", () => {
    const secrets = urlSecrets("https://user:p%40ss-word@h/r.git?private_token=tok3n-0123456789");
    expect(secrets).toEqual(expect.arrayContaining(["p%40ss-word", "p@ss-word", "tok3n-0123456789"]));
    expect(redactText("remote said p@ss-word and tok3n-0123456789", secrets)).toBe("remote said *** and ***");
    // A plain user name is not a secret: it would hide every "git" of every message.
    expect(urlSecrets("ssh://git@h/r.git")).toEqual([]);
    expect(urlSecrets("https://0123456789abcdef0123@h/r.git")).toEqual(["0123456789abcdef0123"]);
  });

  it("removes URL userinfo and known secrets from git's messages", () => {
    const text = "fatal: unable to access 'https://u:pw@h/r.git/': 403 (token abc123 refused)";
    const out = redactText(text, ["abc123", "", undefined]);
    expect(out).not.toContain("pw");
    expect(out).not.toContain("abc123");
    expect(out).toContain("https://***@h/r.git/");
  });
});

describe("nextFetchDelay", () => {
  it("waits the interval after a success and backs off exponentially after failures, capped", () => {
    const half = () => 0.5;
    expect(nextFetchDelay(0, 30_000, half)).toBe(30_000);
    const long = 3_600_000;
    const delays = [1, 2, 3, 4, 5, 20].map((n) => nextFetchDelay(n, long, () => 1));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, FETCH_BACKOFF.capMs]);
    // Never longer than the interval: a short interval keeps its pace.
    expect(nextFetchDelay(10, 5000, () => 1)).toBe(5000);
    // Equal jitter: at least half of the exponential delay.
    expect(nextFetchDelay(3, long, () => 0)).toBe(2000);
  });
});

describe("parseDuration", () => {
  it("reads units and plain seconds, and refuses the rest", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("45")).toBe(45_000);
    for (const bad of ["", "0", "-1s", "abc", "5d", "1.5.2s"])
      expect(() => parseDuration(bad)).toThrow(/duration/);
  });
});

describe("git environment", () => {
  it("passes a token as an http.extraHeader through the environment, never prompting", () => {
    const env = gitEnvironment({ PATH: "/bin", ALACRITY_GIT_TOKEN: "tkn" }, { token: "tkn" });
    expect(env.GIT_TERMINAL_PROMPT).toBe("0");
    expect(env.GIT_CONFIG_COUNT).toBe("3");
    expect(env.GIT_CONFIG_KEY_2).toBe("http.extraHeader");
    expect(env.GIT_CONFIG_VALUE_2).toBe("Authorization: Bearer tkn");
    expect(env.ALACRITY_GIT_TOKEN).toBeUndefined();
    const basic = gitEnvironment({ GIT_CONFIG_COUNT: "1" }, { token: "tkn", tokenUser: "x-access-token" });
    expect(basic.GIT_CONFIG_COUNT).toBe("4");
    expect(basic.GIT_CONFIG_VALUE_3).toBe(
      `Authorization: Basic ${Buffer.from("x-access-token:tkn").toString("base64")}`,
    );
    expect(credentialSecrets({ token: "tkn", tokenUser: "u" })).toEqual([
      "tkn",
      Buffer.from("u:tkn").toString("base64"),
    ]);
  });

  it("runs git without hooks or a file-system monitor, after the user's own config entries", () => {
    const env = gitEnvironment({ GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.hooksPath" }, {});
    expect(env.GIT_CONFIG_COUNT).toBe("3");
    expect([env.GIT_CONFIG_KEY_0, env.GIT_CONFIG_KEY_1, env.GIT_CONFIG_KEY_2]).toEqual([
      "core.hooksPath",
      "core.hooksPath",
      "core.fsmonitor",
    ]);
    expect([env.GIT_CONFIG_VALUE_1, env.GIT_CONFIG_VALUE_2]).toEqual(["/dev/null", "false"]);
  });

  it("tells a corrupt repository from a remote problem", () => {
    expect(
      looksCorrupt("error: object file ./objects/ab/cd is empty\nfatal: loose object abcd is corrupt"),
    ).toBe(true);
    expect(looksCorrupt("fatal: not a git repository: '/w/repo.git'")).toBe(true);
    expect(looksCorrupt("fatal: bad object refs/alacrity/target")).toBe(true);
    expect(
      looksCorrupt(
        "fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused",
      ),
    ).toBe(false);
    expect(looksCorrupt("fatal: couldn't find remote ref main")).toBe(false);
  });
});
