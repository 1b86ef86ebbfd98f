import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredFields } from "../../../src/reconcile/desiredFields.js";
import { diffFields, sameFields } from "../../../src/reconcile/diff.js";
import { normalizeFields } from "../../../src/reconcile/normalize.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { anApp, OPTIONS } from "./builders.js";
import { fieldsArb } from "./fieldsArb.js";

describe("sameFields", () => {
  it("is true only when diffFields finds nothing, and true for a field-for-field copy", () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, fc.boolean(), (a, b, copy) => {
        const next = normalizeFields(b);
        const old: ServiceFields = copy ? structuredClone(next) : a;
        const same = sameFields(old, next);
        if (same) expect(diffFields(old, next)).toEqual([]);
        if (copy) expect(same).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("sees each kind of difference against what desiredFields builds", () => {
    const next = desiredFields(anApp("web").env("A", "1").port(80, 8080).build(), undefined, OPTIONS);
    const changed: ((f: ServiceFields) => void)[] = [
      (f) => (f.image = "x:2"),
      (f) => (f.env = { A: "2" }),
      (f) => (f.env = {}),
      (f) => (f.command = ["sh"]),
      (f) => (f.ports = [{ target: 80, published: 8081, protocol: "tcp" }]),
      (f) => (f.mounts = [{ kind: "named", source: "v", target: "/v", readOnly: false }]),
      (f) => (f.constraints = ["node.id==x"]),
      (f) => (f.labels = { ...f.labels, extra: "1" }),
      (f) => (f.replicas = 2),
      (f) => (f.updateOrder = "stop-first"),
      (f) => (f.maxReplicasPerNode = 1),
    ];
    expect(sameFields(structuredClone(next), next)).toBe(true);
    for (const change of changed) {
      const old = structuredClone(next);
      change(old);
      expect(sameFields(old, next)).toBe(false);
    }
  });
});
