import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalHash } from "../../../src/reconcile/canonical.js";
import { desiredFields } from "../../../src/reconcile/desiredFields.js";
import { specHash, UNHASHED_LABELS } from "../../../src/reconcile/hash.js";
import { normalizeFields } from "../../../src/reconcile/normalize.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";
import { anApp, OPTIONS } from "./builders.js";
import { fieldsArb } from "./fieldsArb.js";

/**
 * The `alacrity.hash` label of every deployed service was computed by this formula: a hash that
 * changes for the same fields would redeploy every service at the next apply.
 */
function referenceHash(fields: ServiceFields): string {
  const n = normalizeFields(fields);
  const labels = Object.fromEntries(Object.entries(n.labels).filter(([k]) => !UNHASHED_LABELS.includes(k)));
  // AlaCrity's defaults are not the manifest's: neither they nor the list naming them are hashed.
  const hashed: Partial<ServiceFields> = { ...n, labels };
  for (const key of n.defaulted ?? []) delete hashed[key];
  delete hashed.defaulted;
  return canonicalHash(hashed).slice(0, 32);
}

describe("specHash", () => {
  it("keeps the values of services already deployed", () => {
    const web = desiredFields(
      anApp("web")
        .command("httpd")
        .args("-f", "-p", "8080")
        .env("B", "2")
        .env("A", "1")
        .port(80, 8080)
        .label("team", "blog")
        .build(),
      undefined,
      { ...OPTIONS, instance: "ci", revision: "abc123" },
    );
    const db = desiredFields(
      anApp("db").persistent().withVolume("data", "/data").withHostPath("/srv/up", "/up", true).build(),
      { nodeId: "id-w1", hostname: "w1" },
      OPTIONS,
    );
    // Every app now joins the default network (issue 16), which is one update of each service;
    // without it, the hash is the one services deployed before then carry.
    const before = (f: ServiceFields): string => specHash({ ...f, networks: [] });
    expect(before(web)).toBe("db4a5d295a80cdc2ac2440d8869a5f8b");
    expect(before(db)).toBe("32a4d2dcfd05694cb476cec51b91a032");
    expect(before(desiredFields(anApp("min").replicas(0).build(), undefined, OPTIONS))).toBe(
      "9cdea0beb3e72d73902fa17fbba3d846",
    );
    expect(web.labels[LABEL.hash]).not.toBe("db4a5d295a80cdc2ac2440d8869a5f8b");
    expect(web.labels[LABEL.hash]).toBe(specHash(web));
  });

  it("is the canonical-JSON hash of the normalised fields, for any fields", () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        expect(specHash(fields)).toBe(referenceHash(fields));
      }),
      { numRuns: 500 },
    );
  });

  it("desiredFields labels each service with the hash of its own fields", () => {
    const f = desiredFields(
      anApp("web").env("A", "1").port(53, undefined, "udp").build(),
      undefined,
      OPTIONS,
    );
    expect(f.labels[LABEL.hash]).toBe(referenceHash(f));
  });
});
