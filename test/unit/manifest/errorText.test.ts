import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../../src/manifest/loader/index.js";
import { formatError } from "../../../src/manifest/types.js";
import { plan } from "../../../src/reconcile/plan.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import { aSwarm, OPTIONS, orphanService } from "../reconcile/builders.js";

// What errors, and so the log and /status, may show of a file: where the problem is, and at most
// the short value that is wrong, never the rest of a line.

/** A long line that looks like a credential; its end must never be shown. */
const SECRET = `ghp_${"k7Qz".repeat(60)}-END-OF-SECRET`;
/** More of it than any error may show (`show` keeps 57 characters of a value). */
const TOO_MUCH = SECRET.slice(0, 61);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "alacrity-error-text-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const head = (name: string) => `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\n`;

describe("error text", () => {
  it("quotes at most a short piece of a long line, in errors and in the /status rows", async () => {
    const files: Record<string, string> = {
      // The yaml library quotes the whole stray token after a closing bracket.
      "stray-token.yaml": `${head("stray")}spec:\n  image: busybox\n}${SECRET}\n`,
      // ... and the whole header of a block scalar, or what follows it.
      "block-header.yaml": `${head("block")}spec:\n  image: busybox\n  command: |x${SECRET}\n  b: 1\n`,
      "not-a-token.yaml": `${head("token")}spec:\n  image: busybox\n  command: | ${SECRET}\n  b: 1\n`,
      // A value of the wrong type, and a file that is one long line.
      "wrong-value.yaml": `${head("wrong")}spec:\n  image: busybox\n  replicas: ${SECRET}\n`,
      "one-line.yaml": `${SECRET}\n`,
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const desired = await loadDesiredState(dir);
    const messages = desired.errors.map(formatError);
    // Each file is reported at the place of its problem (positive control: the errors exist).
    expect(messages.map((m) => m.slice(dir.length + 1, m.indexOf(": ")))).toEqual([
      "block-header.yaml:7:13",
      "not-a-token.yaml:7:14",
      "one-line.yaml:1:1",
      "stray-token.yaml:7:1",
      "stray-token.yaml:7:2",
      "wrong-value.yaml:7:13",
    ]);
    expect(messages.some((m) => m.includes(SECRET.slice(0, 20)))).toBe(true);
    for (const message of messages) {
      expect(message).not.toContain(TOO_MUCH);
      expect(message.length).toBeLessThan(dir.length + 200);
    }

    // /status: the rows of the apps the broken files define, as the daemon builds them.
    const observed = aSwarm()
      .withService(orphanService("stray", "stray-token.yaml"))
      .withService(orphanService("block", "block-header.yaml"))
      .withService(orphanService("wrong", "wrong-value.yaml"))
      .withService(orphanService("token", "not-a-token.yaml"))
      .build();
    const rows = summarizeStatus(observed, desired, plan(desired, observed, OPTIONS));
    expect(rows.map((r) => r.state)).toEqual(["invalid", "invalid", "invalid", "invalid"]);
    const status = JSON.stringify({ apps: rows, git: { errors: messages } });
    expect(status).not.toContain(TOO_MUCH);
    expect(status).not.toContain("END-OF-SECRET");
  });
});
