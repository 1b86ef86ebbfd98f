import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppSpec, ConfigSpec, NetworkSpec, SecretSpec } from "../../../src/manifest/types.js";
import type {
  ObservedContent,
  ObservedNetwork,
  ObservedService,
  ObservedState,
} from "../../../src/swarm/types.js";
import { contentName, LABEL } from "../../../src/domain/names.js";
import { plan } from "../../../src/reconcile/plan.js";
import { ownsResource } from "../../../src/reconcile/resourceOwnership.js";
import type { Plan, PlanOptions, ResolvedContent } from "../../../src/reconcile/types.js";
import {
  anApp,
  desiredOf,
  hidden,
  networkDoc,
  OPTIONS,
  secretRef,
  serviceFor,
  unmanagedService,
} from "./builders.js";
import { applyPlan, applyWholePlan } from "./memorySwarm.js";

/*
 * Issue 16's properties over random documents, contents and Swarm objects: planning again after
 * the plan is applied plans nothing, nothing unmanaged is removed, no secret a kept service mounts
 * is removed, and no content's bytes are in the plan.
 */

const APPS = ["a", "b", "c"];
const NETWORKS = ["back", "front", "ext"];
const SECRETS = ["s1", "s2"];
const SHAS = ["1".repeat(64), "2".repeat(64)];
const ours = (resource: string, instance = "default"): Record<string, string> => ({
  [LABEL.managed]: "true",
  [LABEL.instance]: instance,
  [LABEL.resource]: resource,
});

const appArb = (name: string): fc.Arbitrary<AppSpec> =>
  fc
    .record({
      networks: fc.subarray([...NETWORKS, "default"]),
      secrets: fc.subarray(SECRETS),
      config: fc.boolean(),
      dnsrr: fc.boolean(),
    })
    .map((r) => ({
      ...anApp(name).build(),
      networks: r.networks.map((n) => ({ name: n, aliases: n === "back" ? [`${name}-db`] : [] })),
      secrets: r.secrets.map(secretRef),
      configs: r.config ? [{ ...secretRef("c1"), target: "/c1" }] : [],
      ...(r.dnsrr ? { endpointMode: "dnsrr" as const } : {}),
    }));

const contentArb: fc.Arbitrary<ResolvedContent> = fc.oneof(
  fc
    .record({ sha: fc.constantFrom(...SHAS), tail: fc.string({ minLength: 4, maxLength: 8 }) })
    .map(({ sha, tail }) => ({ ok: true as const, sha256: sha, value: hidden(`VALUE-${tail}`) })),
  fc.constant({ ok: true as const, external: "ext-secret" }),
  fc.constant({ ok: false as const, message: "cannot read", at: { file: "s.yaml", line: 2, col: 3 } }),
);

const networkArb = fc.record({
  name: fc.constantFrom("alacran--back", "alacran--front", "alacran--default", "alacran--old", "ext"),
  owner: fc.constantFrom("ours", "ours", "unmanaged", "other"),
  internal: fc.boolean(),
});

const secretArb = fc.record({
  name: fc.constantFrom(
    ...SECRETS.flatMap((s) => SHAS.map((sha) => contentName(s, sha))),
    contentName("c1", SHAS[0]!),
    contentName("gone", SHAS[0]!),
    "ext-secret",
    "hand",
  ),
  owner: fc.constantFrom("ours", "ours", "unmanaged", "other"),
});

interface World {
  desired: ReturnType<typeof desiredOf>;
  observed: ObservedState;
  options: PlanOptions;
}

const worldArb: fc.Arbitrary<World> = fc
  .record({
    apps: fc.subarray(APPS).chain((names) => fc.tuple(...names.map(appArb))),
    docs: fc.subarray(NETWORKS),
    internalBack: fc.boolean(),
    secretDocs: fc.subarray([...SECRETS, "c1"]),
    contents: fc.record({ s1: contentArb, s2: contentArb, c1: contentArb }),
    /** The apps already deployed, with the contents they were deployed with. */
    deployed: fc.subarray(APPS),
    deployedContents: fc.record({ s1: contentArb, s2: contentArb, c1: contentArb }),
    networks: fc.uniqueArray(networkArb, { selector: (n) => n.name }),
    secrets: fc.uniqueArray(secretArb, { selector: (s) => s.name }),
    handService: fc.boolean(),
  })
  .map((r): World => {
    const networks = new Map<string, NetworkSpec>(
      r.docs.map((n) => [
        n,
        networkDoc(n, {
          ...(n === "ext" ? { external: "ext" } : {}),
          internal: n === "back" && r.internalBack,
        }),
      ]),
    );
    const doc = (name: string): SecretSpec & ConfigSpec => ({
      ...networkDoc(name),
      from: { kind: "env", variable: "X" },
    });
    const secrets = new Map(r.secretDocs.filter((s) => s !== "c1").map((s) => [s, doc(s)]));
    const configs = new Map(r.secretDocs.filter((s) => s === "c1").map((s) => [s, doc(s)]));
    const contentsOf = (c: typeof r.contents): PlanOptions["contents"] => ({
      secrets: new Map([
        ["s1", c.s1],
        ["s2", c.s2],
      ]),
      configs: new Map([["c1", c.c1]]),
    });
    const options: PlanOptions = { ...OPTIONS, contents: contentsOf(r.contents) };
    const before: PlanOptions = { ...OPTIONS, contents: contentsOf(r.deployedContents) };
    const services: ObservedService[] = r.apps
      .filter((a) => r.deployed.includes(a.name))
      .map((a) => serviceFor(a, undefined, before));
    if (r.handService) {
      const hand = unmanagedService("hand");
      hand.fields.networks = [{ network: "alacran--old", aliases: [] }];
      hand.fields.secrets = [{ ...secretRef("hand"), source: "hand" }];
      services.push(hand);
    }
    const labels = (owner: string, resource: string): Record<string, string> =>
      owner === "ours" ? ours(resource) : owner === "other" ? ours(resource, "other") : {};
    const observedNetworks: ObservedNetwork[] = r.networks.map((n) => ({
      id: `net-${n.name}`,
      name: n.name,
      driver: "overlay",
      scope: "swarm",
      internal: n.internal,
      attachable: false,
      encrypted: false,
      labels: labels(n.owner, n.name.replace(/^alacran--/, "")),
    }));
    const contents: ObservedContent[] = r.secrets.map((s) => ({
      id: `sec-${s.name}`,
      name: s.name,
      labels: labels(s.owner, s.name),
    }));
    return {
      desired: desiredOf(r.apps, { networks, secrets, configs, fileCount: 3 }),
      observed: {
        services,
        tasks: [],
        nodes: [],
        volumes: [],
        pins: [],
        networks: observedNetworks,
        secrets: contents.filter((c) => !c.name.includes("c1")),
        configs: contents.filter((c) => c.name.includes("c1")),
      },
      options,
    };
  });

const RUNS = { numRuns: 400 };
const removals = (p: Plan) =>
  [...(p.setup ?? []), ...(p.cleanup ?? [])].filter(
    (a) => a.kind === "remove-network" || a.kind === "remove-content",
  );

describe("plan: networks, secrets and configs over random states", () => {
  it("planning again after applying the plan plans nothing", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const first = plan(desired, observed, options);
        const second = plan(desired, applyWholePlan(observed, first), options);
        expect(second.actions).toEqual([]);
        expect(second.setup).toBeUndefined();
        expect(second.cleanup).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("never removes a network, secret or config that is not this instance's", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        for (const a of removals(plan(desired, observed, options))) {
          const found =
            a.kind === "remove-network"
              ? observed.networks?.find((n) => n.id === a.networkId)
              : [...(observed.secrets ?? []), ...(observed.configs ?? [])].find((c) => c.id === a.id);
          expect(found && ownsResource(found.labels, options.instance)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("never removes a secret or config a service still mounts once the apps' actions ran", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const p = plan(desired, observed, options);
        const after = applyPlan(observed, p.actions);
        for (const a of p.cleanup ?? []) {
          if (a.kind !== "remove-content") continue;
          // Secrets and configs are two name spaces of the Swarm.
          const mounted = after.services.flatMap(
            (s) => (a.of === "secret" ? s.fields.secrets : s.fields.configs) ?? [],
          );
          expect(mounted.map((m) => m.source)).not.toContain(a.name);
        }
      }),
      RUNS,
    );
  });

  it("never puts a content's bytes in the plan, however it is serialised", () => {
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        expect(JSON.stringify(plan(desired, observed, options))).not.toContain("VALUE-");
      }),
      RUNS,
    );
  });

  it("generates the cases the properties are about", () => {
    const seen = {
      "a content created": 0,
      "a content removed": 0,
      "a network removed": 0,
      "a network re-created": 0,
    };
    fc.assert(
      fc.property(worldArb, ({ desired, observed, options }) => {
        const all = [
          ...(plan(desired, observed, options).setup ?? []),
          ...(plan(desired, observed, options).cleanup ?? []),
        ];
        if (all.some((a) => a.kind === "create-content")) seen["a content created"]++;
        if (all.some((a) => a.kind === "remove-content")) seen["a content removed"]++;
        if (all.some((a) => a.kind === "remove-network" && a.reason === "no longer used"))
          seen["a network removed"]++;
        if (all.some((a) => a.reason === "options changed: re-created")) seen["a network re-created"]++;
      }),
      // A fixed seed: the rarest case comes up in about 1.5 % of runs, so a random one would
      // sometimes fall short of the bound; what this checks is the generator, not luck.
      { ...RUNS, seed: 16 },
    );
    for (const [what, runs] of Object.entries(seen))
      expect(runs, what).toBeGreaterThanOrEqual(RUNS.numRuns * 0.01);
  });
});
