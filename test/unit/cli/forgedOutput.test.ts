import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planText } from "../../../src/cli/planCommand.js";
import { renderStatusTable } from "../../../src/cli/render/statusTable.js";
import { printable } from "../../../src/manifest/format.js";
import { loadDesiredState } from "../../../src/manifest/loader/index.js";
import { plan } from "../../../src/reconcile/plan.js";
import { OPTIONS, aSwarm, anApp, serviceFor } from "../reconcile/builders.js";

// A manifest author tries to make `plan` say that nothing changes while it changes something.
const FORGED = "No changes: the Swarm matches the manifests.";
const GENUINE = /^No changes: the Swarm matches the manifests\.$/;

const temp = mkdtempSync(join(tmpdir(), "alacrity-forge-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const manifest = (label: string) =>
  `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: web\n  labels:\n    team: ${JSON.stringify(label)}\nspec:\n  image: alacrity-test/busybox:1\n`;

describe("text output that a manifest cannot forge", () => {
  it("escapes a newline in a label value and in a file name, so no false 'No changes' line appears", async () => {
    const dir = mkdtempSync(join(temp, "apps-"));
    writeFileSync(join(dir, "web.yaml"), manifest(`blog\n${FORGED}`));
    writeFileSync(join(dir, `x\n${FORGED}\n.yaml`), "apiVersion: alacrity.dev/v1\nkind: App\n");
    const desired = await loadDesiredState(dir);
    const deployed = serviceFor({ ...anApp("web").label("team", "blog").build(), file: "web.yaml" });
    const p = plan(desired, aSwarm().withService(deployed).build(), OPTIONS);
    expect(p.actions.map((a) => a.kind)).toEqual(["update"]);

    const lines = planText(desired.errors, p).split("\n");
    expect(lines.filter((line) => line.startsWith("No changes"))).toEqual([]);
    // What was forged is still shown, escaped, on the line it belongs to.
    expect(lines).toContainEqual(`    labels.team: blog -> blog\\n${FORGED}`);
    expect(lines.some((l) => l.startsWith(`error: ${dir}/x\\n${FORGED}\\n.yaml:`))).toBe(true);
    expect(lines.at(-2)).toMatch(/^Plan: 0 to create, 1 to update/);
  });

  it("still prints the genuine 'No changes' when nothing changes (positive control)", async () => {
    const dir = mkdtempSync(join(temp, "apps-"));
    writeFileSync(join(dir, "web.yaml"), manifest("blog"));
    const desired = await loadDesiredState(dir);
    const deployed = serviceFor(desired.apps.get("web")!);
    const p = plan(desired, aSwarm().withService(deployed).withDefaultNetwork().build(), OPTIONS);
    expect(
      planText(desired.errors, p)
        .split("\n")
        .filter((l) => GENUINE.test(l)),
    ).toHaveLength(1);
  });

  it("escapes controls in the status table's cells", () => {
    const text = renderStatusTable([
      {
        name: "web",
        persistent: false,
        desired: 1,
        running: 0,
        volumes: ["/srv/a\nb"],
        networks: [],
        state: "failed",
        reason: `task failed\n${FORGED}\u001b[2J`,
      },
    ]);
    expect(text.split("\n")).toHaveLength(2);
    expect(text).toContain(`task failed\\n${FORGED}\\u001b[2J`);
    expect(text).toContain("/srv/a\\nb");
  });

  it("writes controls, line separators and bidi overrides as JSON-style escapes, and nothing else", () => {
    expect(printable("a\nb\r\tc\u0000\u001b\u007f\u0085\u2028\u2029\u202e\u2066")).toBe(
      "a\\nb\\r\\tc\\u0000\\u001b\\u007f\\u0085\\u2028\\u2029\\u202e\\u2066",
    );
    const plain = 'ordinary text: ünïcödé, 日本, "quotes" and \\ backslash';
    expect(printable(plain)).toBe(plain);
  });
});
