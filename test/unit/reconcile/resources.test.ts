import { describe, expect, it } from "vitest";
import type { AppSpec, DesiredState, SecretSpec } from "../../../src/manifest/types.js";
import type { ObservedContent, ObservedNetwork, ObservedState } from "../../../src/swarm/types.js";
import { contentName, LABEL } from "../../../src/domain/names.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { PlanOptions, ResolvedContent, ResourceAction } from "../../../src/reconcile/types.js";
import {
  anApp,
  aSwarm,
  desiredOf,
  hidden,
  invalidApp,
  networkDoc,
  OPTIONS,
  secretRef,
  serviceFor,
  unmanagedService,
} from "./builders.js";
import { applyWholePlan } from "./memorySwarm.js";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

const at = { file: "docs.yaml", line: 3, col: 5 };
const secretDoc = (name: string): SecretSpec => ({
  name,
  labels: {},
  file: "docs.yaml",
  source: at,
  positions: {},
  from: { kind: "env", variable: "X" },
});

function withNetworks(app: AppSpec, ...names: string[]): AppSpec {
  return { ...app, networks: names.map((name) => ({ name, aliases: [] })) };
}

function options(secrets: Record<string, ResolvedContent> = {}): PlanOptions {
  return { ...OPTIONS, contents: { secrets: new Map(Object.entries(secrets)), configs: new Map() } };
}

const ours = (resource: string, extra: Record<string, string> = {}): Record<string, string> => ({
  [LABEL.managed]: "true",
  [LABEL.instance]: "default",
  [LABEL.resource]: resource,
  ...extra,
});

function net(
  name: string,
  labels: Record<string, string>,
  opts: Partial<ObservedNetwork> = {},
): ObservedNetwork {
  return {
    id: `net-${name}`,
    name,
    driver: "overlay",
    scope: "swarm",
    internal: false,
    attachable: false,
    encrypted: false,
    labels,
    ...opts,
  };
}

const secret = (name: string, labels: Record<string, string>): ObservedContent => ({
  id: `sec-${name}`,
  name,
  labels,
});

function swarm(extra: Partial<ObservedState> = {}): ObservedState {
  return { ...aSwarm().withNode("n1").build(), networks: [], secrets: [], configs: [], ...extra };
}

/** Plan, apply in memory, plan again: the second plan must be empty (idempotence). */
function converge(desired: DesiredState, observed: ObservedState, opts: PlanOptions) {
  const first = plan(desired, observed, opts);
  const second = plan(desired, applyWholePlan(observed, first), opts);
  expect(second.actions).toEqual([]);
  expect(second.setup).toBeUndefined();
  expect(second.cleanup).toBeUndefined();
  return first;
}

const kinds = (actions: readonly ResourceAction[] | undefined) =>
  (actions ?? []).map((a) => `${a.kind} ${"name" in a ? a.name : a.network.name} (${a.reason})`);

describe("networks", () => {
  it("every app joins alacran--default unless it lists networks, and the default network is created once", () => {
    const web = anApp("web").build();
    const api = withNetworks(anApp("api").build(), "back");
    const desired = desiredOf([web, api], { networks: new Map([["back", networkDoc("back")]]) });
    const p = converge(desired, swarm(), OPTIONS);
    expect(kinds(p.setup)).toEqual([
      "create-network alacran--back (declared)",
      "create-network alacran--default (needed by an app)",
    ]);
    const fields = Object.fromEntries(
      p.actions.map((a) => [a.app, a.kind === "create" ? a.fields.networks : []]),
    );
    expect(fields).toEqual({
      api: [{ network: "alacran--back", aliases: [] }],
      web: [{ network: "alacran--default", aliases: [] }],
    });
    const create = p.setup?.[1];
    expect(create?.kind === "create-network" && create.network.labels).toMatchObject({
      [LABEL.managed]: "true",
      [LABEL.instance]: "default",
      [LABEL.resource]: "default",
      [LABEL.networkHash]: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
    });
  });

  it("an external network keeps its own name; a missing one rejects only the apps that use it (network-unavailable)", () => {
    const edge = withNetworks(anApp("edge").build(), "traefik");
    const desired = desiredOf([edge, anApp("web").build()], {
      networks: new Map([["traefik", networkDoc("traefik", { external: "traefik" })]]),
    });
    const missing = plan(desired, swarm(), OPTIONS);
    expect(missing.rejections.map((r) => [r.app, r.rule])).toEqual([["edge", "network-unavailable"]]);
    expect(missing.rejections[0]?.message).toMatch(
      /external network "traefik" does not exist.*docker network create/,
    );
    expect(missing.actions.map((a) => a.app)).toEqual(["web"]);

    const present = converge(desired, swarm({ networks: [net("traefik", {})] }), OPTIONS);
    const create = present.actions.find((a) => a.app === "edge");
    expect(create?.kind === "create" && create.fields.networks).toEqual([
      { network: "traefik", aliases: [] },
    ]);
    expect(kinds(present.setup)).toEqual(["create-network alacran--default (needed by an app)"]);
  });

  it("an external network named by its Swarm name: apps list metadata.name, join that network, never create or remove it", () => {
    const web = withNetworks(anApp("web").build(), "shop");
    const desired = desiredOf([web], {
      networks: new Map([["shop", networkDoc("shop", { external: "shop_default" })]]),
    });
    const missing = plan(desired, swarm({ networks: [net("shop", {})] }), OPTIONS);
    expect(missing.rejections.map((r) => [r.app, r.rule])).toEqual([["web", "network-unavailable"]]);
    expect(missing.rejections[0]?.message).toBe(
      'spec.networks[0]: the external network "shop_default" (Network shop) does not exist in the Swarm; create it ' +
        "(docker network create --driver overlay shop_default), correct the name (docker network ls), " +
        'or drop "external" to let AlaCrity manage it',
    );

    // Positive control: with the stack's network there, the app joins it by that name.
    const stack = net("shop_default", { "com.docker.stack.namespace": "shop" });
    const present = converge(desired, swarm({ networks: [stack] }), OPTIONS);
    expect(present.rejections).toEqual([]);
    const create = present.actions.find((a) => a.app === "web");
    expect(create?.kind === "create" && create.fields.networks).toEqual([
      { network: "shop_default", aliases: [] },
    ]);
    expect(present.setup).toBeUndefined();
    expect(present.cleanup).toBeUndefined();

    // Once nothing declares it and no app uses it, it is still never removed.
    const gone = plan(desiredOf([anApp("other").build()]), swarm({ networks: [stack] }), OPTIONS);
    expect(kinds(gone.cleanup)).toEqual([]);
  });

  it("a network no document declares rejects the app (network-unavailable)", () => {
    const p = plan(desiredOf([withNetworks(anApp("api").build(), "nope")]), swarm(), OPTIONS);
    expect(p.rejections[0]).toMatchObject({ app: "api", rule: "network-unavailable" });
    expect(p.rejections[0]?.message).toMatch(/^spec\.networks\[0\]: no Network document is named "nope"/);
  });

  it("removes a managed network nothing declares or uses; never an unmanaged one or another instance's", () => {
    const observed = swarm({
      networks: [
        net("alacran--old", ours("old")),
        net("alacran--hand", {}),
        net("alacran--theirs", ours("theirs", { [LABEL.instance]: "other" })),
      ],
    });
    const p = converge(desiredOf([anApp("web").build()]), observed, OPTIONS);
    expect(kinds(p.cleanup)).toEqual(["remove-network alacran--old (no longer used)"]);
  });

  it("keeps an undeclared managed network a service not ours still uses, with a warning", () => {
    const hand = unmanagedService("hand");
    hand.fields.networks = [{ network: "alacran--old", aliases: [] }];
    const observed = swarm({ networks: [net("alacran--old", ours("old"))], services: [hand] });
    const p = plan(desiredOf([anApp("web").build()]), observed, OPTIONS);
    expect(p.cleanup).toBeUndefined();
    expect(p.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/alacran--old .*still used by hand/),
    );
  });

  it("removes the network of a removed app only after its service goes, in cleanup", () => {
    const gone = withNetworks(anApp("gone").build(), "old");
    const service = serviceFor(gone, undefined, OPTIONS);
    service.fields.networks = [{ network: "alacran--old", aliases: [] }];
    const observed = swarm({ networks: [net("alacran--old", ours("old"))], services: [service] });
    const p = converge(desiredOf([anApp("web").build()]), observed, OPTIONS);
    expect(p.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["create web", "remove gone"]);
    expect(kinds(p.cleanup)).toEqual(["remove-network alacran--old (no longer used)"]);
  });

  it("re-creates a network whose options changed, in setup, when no service uses it", () => {
    const desired = desiredOf([], {
      networks: new Map([["back", networkDoc("back", { internal: true })]]),
      fileCount: 1,
    });
    const p = converge(desired, swarm({ networks: [net("alacran--back", ours("back"))] }), OPTIONS);
    expect(kinds(p.setup)).toEqual([
      "remove-network alacran--back (options changed: re-created)",
      "create-network alacran--back (options changed: re-created)",
    ]);
  });

  it("leaves a network whose options changed as it is while apps use it, and names them", () => {
    const api = withNetworks(anApp("api").build(), "back");
    const docs = { networks: new Map([["back", networkDoc("back", { encrypted: true })]]) };
    const service = serviceFor(api, undefined, OPTIONS);
    service.fields.networks = [{ network: "alacran--back", aliases: [] }];
    const observed = swarm({ networks: [net("alacran--back", ours("back"))], services: [service] });
    const p = plan(desiredOf([api], docs), observed, OPTIONS);
    expect(p.setup).toBeUndefined();
    expect(p.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /network alacran--back: its options .* api use it.*take it out of those apps' spec\.networks/,
      ),
    );
  });

  it("re-creates a network whose options changed in cleanup when its last service leaves it in this pass", () => {
    const docs = { networks: new Map([["back", networkDoc("back", { internal: true })]]) };
    const gone = withNetworks(anApp("gone").build(), "back");
    const service = serviceFor(gone, undefined, OPTIONS);
    const observed = swarm({ networks: [net("alacran--back", ours("back"))], services: [service] });
    const p = converge(desiredOf([anApp("web").build()], docs), observed, OPTIONS);
    expect(p.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["create web", "remove gone"]);
    expect(kinds(p.cleanup)).toEqual([
      "remove-network alacran--back (options changed: re-created)",
      "create-network alacran--back (options changed: re-created)",
    ]);
  });

  it("an empty directory or a failing file removes no network (the guards hold back resources too)", () => {
    const observed = swarm({ networks: [net("alacran--old", ours("old"))] });
    const empty = plan(desiredOf([], { fileCount: 0 }), observed, OPTIONS);
    expect(empty.cleanup).toBeUndefined();
    expect(empty.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/not removing 1 unused .*alacran--old/),
    );
    const broken = plan(
      desiredOf([anApp("web").build()], {
        invalid: [invalidApp("back", "back.yaml")],
        failedFiles: new Set(["back.yaml"]),
      }),
      observed,
      OPTIONS,
    );
    expect(broken.cleanup).toBeUndefined();
    const orphans = ["o1", "o2", "o3"].map((n) => serviceFor(anApp(n).build(), undefined, OPTIONS));
    const massPrune = plan(desiredOf([anApp("web").build()]), { ...observed, services: orphans }, OPTIONS);
    expect(massPrune.heldBack).toHaveLength(3);
    expect(massPrune.cleanup).toBeUndefined();
    // Positive control: the same state with the file fixed removes it.
    expect(kinds(plan(desiredOf([anApp("web").build()]), observed, OPTIONS).cleanup)).toEqual([
      "remove-network alacran--old (no longer used)",
    ]);
  });

  it("a service deployed before networks were managed is updated once, saying why", () => {
    const web = anApp("web").build();
    const service = serviceFor(web, undefined, OPTIONS, (f) => {
      delete f.networks;
    });
    // Its hash label is the one computed without networks, as it was deployed.
    const p = plan(desiredOf([web]), swarm({ services: [service] }), OPTIONS);
    expect(p.actions).toMatchObject([
      {
        kind: "update",
        reason: "joins the default network",
        changes: [{ field: "networks", from: "(none)", to: "alacran--default" }],
        restarts: true,
      },
    ]);
  });
});

describe("secrets and configs", () => {
  const db = { ...anApp("db").build(), secrets: [secretRef("pw")] };
  const docs = { secrets: new Map([["pw", secretDoc("pw")]]) };

  it("creates the secret under its content's name before the app, and mounts it by that name", () => {
    const p = converge(
      desiredOf([db], docs),
      swarm(),
      options({ pw: { ok: true, sha256: SHA_A, value: hidden("s3cr3t") } }),
    );
    const name = contentName("pw", SHA_A);
    expect(kinds(p.setup)).toContain(`create-content ${name} (needed by an app)`);
    const create = p.setup?.find((a) => a.kind === "create-content");
    expect(create).toMatchObject({
      of: "secret",
      resource: "pw",
      labels: ours("pw"),
    });
    // No digest of the value in a label: an unsalted hash of a short password can be guessed.
    expect(JSON.stringify(create?.labels)).not.toContain(SHA_A);
    const action = p.actions[0];
    expect(action?.kind === "create" && action.fields.secrets).toEqual([
      { source: name, target: "/run/secrets/pw", uid: "0", gid: "0", mode: 0o444 },
    ]);
    expect(JSON.stringify(p)).not.toContain("s3cr3t");
  });

  it("a new value is a new secret, an update that shows no value, and the old secret goes in cleanup", () => {
    const before = options({ pw: { ok: true, sha256: SHA_A, value: hidden("old-pass") } });
    const after = options({ pw: { ok: true, sha256: SHA_B, value: hidden("new-pass") } });
    const service = serviceFor(db, undefined, before);
    const observed = swarm({
      services: [service],
      networks: [net("alacran--default", ours("default"))],
      secrets: [secret(contentName("pw", SHA_A), ours("pw"))],
    });
    const p = converge(desiredOf([db], docs), observed, after);
    expect(kinds(p.setup)).toEqual([`create-content ${contentName("pw", SHA_B)} (needed by an app)`]);
    expect(p.actions).toMatchObject([
      {
        kind: "update",
        reason: "content changed",
        changes: [{ field: "secrets.pw", from: "(set)", to: "changed (value hidden)" }],
      },
    ]);
    expect(kinds(p.cleanup)).toEqual([`remove-content ${contentName("pw", SHA_A)} (no longer used)`]);
    expect(JSON.stringify(p)).not.toContain("new-pass");
  });

  it("keeps the old secret while the app is rejected and its service still mounts it", () => {
    const before = options({ pw: { ok: true, sha256: SHA_A, value: hidden("x") } });
    const service = serviceFor(db, undefined, before);
    const old = secret(contentName("pw", SHA_A), ours("pw"));
    const p = plan(
      desiredOf([db], docs),
      swarm({ services: [service], secrets: [old] }),
      options({ pw: { ok: false, message: "file secrets/pw.txt does not exist", at } }),
    );
    expect(p.rejections).toEqual([
      {
        app: "db",
        rule: "content-unavailable",
        message: 'spec.secrets[0]: Secret "pw" cannot be used: file secrets/pw.txt does not exist',
        position: at,
      },
    ]);
    expect(p.cleanup).toBeUndefined();
  });

  it("an external secret is mounted by its name, and a missing one rejects the app (content-unavailable)", () => {
    const ext = options({ pw: { ok: true, external: "prod-pw" } });
    const missing = plan(desiredOf([db], docs), swarm(), ext);
    expect(missing.rejections[0]).toMatchObject({ rule: "content-unavailable" });
    expect(missing.rejections[0]?.message).toMatch(/external secret "prod-pw" does not exist/);
    const p = converge(desiredOf([db], docs), swarm({ secrets: [secret("prod-pw", {})] }), ext);
    const action = p.actions[0];
    expect(action?.kind === "create" && action.fields.secrets?.[0]?.source).toBe("prod-pw");
    expect(kinds(p.setup).filter((k) => k.startsWith("create-content"))).toEqual([]);
  });

  it("a declared Secret no app uses creates nothing; an unmanaged secret is never removed", () => {
    const p = converge(
      desiredOf([anApp("web").build()], docs),
      swarm({
        secrets: [secret("hand-made", {}), secret(contentName("zz", SHA_A), { [LABEL.managed]: "true" })],
      }),
      options({ pw: { ok: true, sha256: SHA_A, value: hidden("x") } }),
    );
    expect(kinds(p.setup)).toEqual(["create-network alacran--default (needed by an app)"]);
    expect(p.cleanup).toBeUndefined();
  });

  it("a Secret without a document, or whose content was not read, rejects the app", () => {
    expect(plan(desiredOf([db]), swarm(), options()).rejections[0]?.message).toMatch(
      /no Secret document is named "pw"/,
    );
    expect(plan(desiredOf([db], docs), swarm(), options()).rejections[0]?.message).toMatch(/was not read/);
  });
});
