import { describe, expect, it } from "vitest";
import { planDocument, renderPlan } from "../../../src/cli/render/planText.js";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, desiredOf, OPTIONS } from "../reconcile/builders.js";

const FILE = "/x/secret.yaml";
// Secret is a kind now (issue 16): an unknown kind is what makes this document invalid.
const TEXT = "apiVersion: alacrity.dev/v1\nkind: Service\nmetadata: {name: acc-dbpw}\nspec: {image: x}\n";

/** The plan of one file whose only document is invalid, as `plan` builds it from a load. */
function planOfInvalidFile() {
  const parsed = parseManifest(TEXT, FILE);
  expect(parsed.errors[0]).toMatchObject({ file: FILE, line: 2, col: 7, path: "kind" });
  const desired = desiredOf([], {
    invalid: parsed.invalid,
    errors: parsed.errors,
    failedFiles: new Set([FILE]),
  });
  return plan(desired, aSwarm().build(), OPTIONS);
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

describe("a rejected file's position", () => {
  it("is printed once in the text plan, in front of the message", () => {
    const text = renderPlan(planOfInvalidFile());
    const line = text.split("\n").find((l) => l.startsWith("! reject acc-dbpw: "));
    expect(line).toMatch(/^! reject acc-dbpw: \/x\/secret\.yaml:2:7: kind: must be "App"/);
    expect(occurrences(line ?? "", FILE)).toBe(1);
  });

  it("is carried by the JSON rejection's position, not repeated in its message", () => {
    const document = planDocument(planOfInvalidFile()) as {
      rejections: { app: string; rule: string; message: string; position?: object }[];
    };
    const [rejection] = document.rejections;
    expect(rejection).toMatchObject({
      app: "acc-dbpw",
      rule: "invalid-manifest",
      position: { file: FILE, line: 2, col: 7 },
    });
    expect(rejection?.message).toMatch(/^kind: must be "App"/);
    expect(occurrences(JSON.stringify(rejection), FILE)).toBe(1);
  });
});
