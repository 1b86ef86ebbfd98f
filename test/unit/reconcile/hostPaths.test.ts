import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { forbiddenHostPath, isUnder, FORBIDDEN_HOST_PATHS } from "../../../src/reconcile/hostPaths.js";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, anApp, desiredOf, OPTIONS } from "./builders.js";

const swarm = () => aSwarm().withNode("node-1").build();

describe("host paths that would give an app control of its node", () => {
  it.each([
    "/",
    "/etc",
    "/etc/ssl",
    "/proc/1",
    "/sys/fs/cgroup",
    "/dev",
    "/boot/grub",
    "/root/.ssh",
    "/var/lib/docker",
    "/var/lib/docker/volumes/x/_data",
    "/var/run/docker.sock",
    "/run/docker.sock",
  ])("refuses %s", (path) => {
    expect(forbiddenHostPath(path, [])).toBeDefined();
  });

  it.each([
    "/srv/blog/uploads",
    "/data",
    "/var/lib/postgres",
    "/etcetera",
    "/var/lib/dockerish",
    "/home/app",
  ])("allows %s", (path) => {
    expect(forbiddenHostPath(path, [])).toBeUndefined();
  });

  it("normalises .. and trailing slashes before the check", () => {
    expect(forbiddenHostPath("/srv/../etc/", [])).toBeDefined();
    expect(forbiddenHostPath("/srv/x/../../var/lib/docker", [])).toBeDefined();
  });

  it("catches a symlink that resolves into a forbidden path", () => {
    expect(forbiddenHostPath("/srv/innocent", [], "/etc")).toContain(
      "through a symlink: /srv/innocent -> /etc",
    );
    expect(forbiddenHostPath("/srv/innocent", [], "/srv/real")).toBeUndefined();
  });

  it("lets the operator allow a prefix (and only that prefix)", () => {
    expect(forbiddenHostPath("/etc/myapp/conf", ["/etc/myapp"])).toBeUndefined();
    expect(forbiddenHostPath("/etc/passwd", ["/etc/myapp"])).toBeDefined();
    expect(forbiddenHostPath("/etc/myapp-other", ["/etc/myapp"])).toBeDefined();
  });

  it("property: any path under a forbidden one is refused unless allowed", () => {
    const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((s) => s !== "." && s !== "..");
    fc.assert(
      fc.property(
        fc.constantFrom(...FORBIDDEN_HOST_PATHS),
        fc.array(segment, { maxLength: 4 }),
        (root, rest) => {
          const path = [root, ...rest].join("/");
          expect(isUnder(path, root)).toBe(true);
          expect(forbiddenHostPath(path, [])).toBeDefined();
          expect(forbiddenHostPath(path, [root])).toBeUndefined();
        },
      ),
    );
  });

  it("the planner rejects such an app with the volume's position, and plans the others", () => {
    const bad = anApp("sneaky").persistent().withHostPath("/var/run/docker.sock", "/sock").build();
    const good = anApp("fine").build();
    const result = plan(desiredOf([bad, good]), swarm(), OPTIONS);
    expect(result.rejections).toEqual([
      expect.objectContaining({
        app: "sneaky",
        rule: "host-path-forbidden",
        message: expect.stringContaining("--allow-host-path"),
      }),
    ]);
    expect(result.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["create fine"]);
  });

  it("the planner accepts it when the operator allows the prefix", () => {
    const app = anApp("etc-reader").persistent().withHostPath("/etc/app-config", "/config", true).build();
    const result = plan(desiredOf([app]), swarm(), { ...OPTIONS, allowHostPaths: ["/etc/app-config"] });
    expect(result.rejections).toEqual([]);
    expect(result.actions.map((a) => a.kind)).toEqual(["pin", "create"]);
  });

  it("the planner uses resolved symlinks given at the edge", () => {
    const app = anApp("linked").persistent().withHostPath("/srv/link", "/data").build();
    const result = plan(desiredOf([app]), swarm(), {
      ...OPTIONS,
      resolvedHostPaths: new Map([["/srv/link", "/root"]]),
    });
    expect(result.rejections.map((r) => r.rule)).toEqual(["host-path-forbidden"]);
  });
});
