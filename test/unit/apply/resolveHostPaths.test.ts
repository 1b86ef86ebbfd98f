import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveHostPaths } from "../../../src/apply/resolveHostPaths.js";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, anApp, desiredOf, OPTIONS } from "../reconcile/builders.js";

const root = realpathSync(mkdtempSync(join(tmpdir(), "alacrity-resolve-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("resolveHostPaths", () => {
  it("resolves the paths this machine can see and reports the others as unseen, not skipped", async () => {
    const real = join(root, "real");
    mkdirSync(real);
    symlinkSync(real, join(root, "link"));
    writeFileSync(join(root, "file"), "");
    const paths = {
      real,
      link: join(root, "link"),
      missing: join(root, "missing", "uploads"),
      throughFile: join(root, "file", "below"),
    };
    const app = anApp("db").persistent();
    for (const [name, path] of Object.entries(paths)) app.withHostPath(path, `/${name}`);
    app.withVolume("named", "/named");

    const lookup = await resolveHostPaths(desiredOf([app.build()]));
    expect(lookup.resolvedHostPaths).toEqual(
      new Map([
        [paths.real, real],
        [paths.link, real],
      ]),
    );
    expect([...lookup.unseenHostPaths].sort()).toEqual([paths.missing, paths.throughFile].sort());
  });

  it("feeds the planner: one warning per unseen path, and the symlink check where it can see", async () => {
    const srv = anApp("seen").persistent().withHostPath(join(root, "real"), "/data").build();
    const far = anApp("far").persistent().withHostPath(join(root, "not-here"), "/data").build();
    const p = plan(desiredOf([srv, far]), aSwarm().withNode("n1").build(), {
      ...OPTIONS,
      allowHostPaths: [root],
      ...(await resolveHostPaths(desiredOf([srv, far]))),
    });
    expect(p.rejections).toEqual([]);
    expect(p.warnings).toEqual([
      {
        app: "far",
        message: `host path ${join(root, "not-here")} cannot be seen from this controller (not on this machine or not readable), so its symlinks were not checked; the allowed data roots are what protects it`,
      },
    ]);
  });
});
