import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  allowedRootProblem,
  DEFAULT_HOST_PATH_ROOTS,
  FORBIDDEN_HOST_PATHS,
  hostPathProblem,
  isUnder,
} from "../../../src/rules/hostPaths.js";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, anApp, desiredOf, OPTIONS } from "./builders.js";

const swarm = () => aSwarm().withNode("node-1").build();
const DEFAULTS = DEFAULT_HOST_PATH_ROOTS;
// A root containing everything: what the deny-list alone refuses.
const EVERYWHERE = ["/"];
const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((s) => s !== "." && s !== "..");

describe("host paths that would give an app control of its node (the deny-list)", () => {
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
    expect(hostPathProblem(path, EVERYWHERE)).toBeDefined();
  });

  it.each([
    ["/usr", "/usr/local/bin"],
    ["/bin", "/bin"],
    ["/sbin", "/sbin/init"],
    ["/lib", "/lib/modules"],
    ["/lib64", "/lib64"],
    ["/home", "/home/alice/.ssh"],
    ["/var/log", "/var/log/journal"],
    ["/var/spool/cron", "/var/spool/cron/crontabs"],
    ["/run/systemd/private", "/run/systemd/private"],
    ["/run/dbus", "/run/dbus/system_bus_socket"],
    ["/run/user", "/run/user/1000"],
    ["/run/user", "/run/user/1000/docker.sock"],
    ["/var/run/dbus", "/var/run/dbus/system_bus_socket"],
    ["/var/lib/containers", "/var/lib/containers/storage"],
    ["/var/lib/kubelet", "/var/lib/kubelet/pods"],
    ["/var/lib/alacrity", "/var/lib/alacrity/git/repo.git"],
  ])("refuses %s (%s), whatever the allowed roots", (entry, path) => {
    expect(FORBIDDEN_HOST_PATHS).toContain(entry);
    const problem = hostPathProblem(path, EVERYWHERE);
    expect(problem).toMatch(
      new RegExp(`^it (is|lies in) ${entry}, which would give the app control of the node`),
    );
    // Allowing the entry itself as a root does not lift the deny-list.
    expect(hostPathProblem(path, [entry])?.split(";")[0]).toBe(problem?.split(";")[0]);
  });

  it.each([
    ["/", "it is / (the whole file system of the node)"],
    ["/var", "it contains /var/lib/docker"],
    ["/var/lib", "it contains /var/lib/docker"],
    ["/run", "it contains /run/docker.sock"],
    ["/var/run", "it contains /var/run/docker.sock"],
    ["/run/systemd", "it contains /run/systemd/private"],
    ["/var/spool", "it contains /var/spool/cron"],
  ])("refuses %s, a parent of a forbidden path, saying which one it contains", (path, why) => {
    expect(hostPathProblem(path, EVERYWHERE)).toBe(
      `${why}, which would give the app control of the node; bind a directory under / instead`,
    );
    expect(hostPathProblem(path, ["/var", "/run"])).toContain(why);
  });

  it.each(["/etcetera", "/var/lib/dockerish", "/var/lib/postgres", "/run/app", "/usrdata", "/var/logs"])(
    "allows %s where the root allows it (a forbidden path's sibling is not forbidden)",
    (path) => {
      expect(hostPathProblem(path, EVERYWHERE)).toBeUndefined();
    },
  );

  it("property: any path under a forbidden one is refused, even with that path allowed as a root", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORBIDDEN_HOST_PATHS),
        fc.array(segment, { maxLength: 4 }),
        (entry, rest) => {
          const path = [entry, ...rest].join("/");
          expect(isUnder(path, entry)).toBe(true);
          expect(hostPathProblem(path, [entry])).toBeDefined();
          expect(hostPathProblem(path, EVERYWHERE)).toBeDefined();
        },
      ),
    );
  });

  it("property: every parent of a forbidden path is refused", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FORBIDDEN_HOST_PATHS), fc.nat(), (entry, cut) => {
        const parts = entry.split("/").slice(1);
        const parent = `/${parts.slice(0, cut % parts.length).join("/")}`;
        expect(hostPathProblem(parent, EVERYWHERE)).toBeDefined();
      }),
    );
  });
});

describe("host paths only under the allowed data roots (the allow-list)", () => {
  it("defaults to /srv, /mnt and /data", () => {
    expect(DEFAULTS).toEqual(["/srv", "/mnt", "/data"]);
    for (const path of ["/srv/blog/uploads", "/mnt/nas/photos", "/data/pg"]) {
      expect(hostPathProblem(path, DEFAULTS)).toBeUndefined();
    }
  });

  it.each(["/srv", "/data", "/mnt/", "/srv/x/.."])(
    "refuses the data root itself (%s): it holds other apps' data",
    (path) => {
      expect(hostPathProblem(path, DEFAULTS)).toMatch(
        /^it is the data root \/(srv|data|mnt) itself, which holds other apps' data; bind a directory inside it, such as \/(srv|data|mnt)\/<app>$/,
      );
      // Positive control: a directory inside that root is accepted.
      expect(hostPathProblem(`${path.replace(/\/x\/\.\.$|\/$/, "")}/app`, DEFAULTS)).toBeUndefined();
    },
  );

  it("refuses a symlink that resolves to a data root itself", () => {
    expect(hostPathProblem("/srv/app", DEFAULTS, "/srv")).toMatch(
      /^through a symlink \(\/srv\/app -> \/srv\) it is the data root \/srv itself/,
    );
  });

  it.each(["/opt/app", "/tmp/x", "/var/lib/postgres", "/srvdata", "/media/usb", "/datasets/x"])(
    "refuses %s by default, saying which rule and how to fix it",
    (path) => {
      expect(hostPathProblem(path, DEFAULTS)).toBe(
        "it is not under an allowed data root (/srv, /mnt, /data); move the data there or let the operator " +
          "allow its root with --allow-host-path ROOT",
      );
    },
  );

  it("allowed roots replace the defaults", () => {
    const roots = ["/var/lib/postgres"];
    expect(hostPathProblem("/var/lib/postgres/16/main", roots)).toBeUndefined();
    expect(hostPathProblem("/srv/x", roots)).toContain("not under an allowed data root (/var/lib/postgres)");
  });

  it("the deny-list still applies inside an allowed root", () => {
    const roots = ["/var"];
    expect(hostPathProblem("/var/lib/postgres", roots)).toBeUndefined();
    expect(hostPathProblem("/var/lib/docker/volumes", roots)).toContain("it lies in /var/lib/docker");
    expect(hostPathProblem("/var/lib", roots)).toContain("it contains /var/lib/docker");
    expect(hostPathProblem("/var", roots)).toContain("it contains /var/lib/docker");
  });

  it("normalises .. and trailing slashes before the check", () => {
    expect(hostPathProblem("/srv/../etc/", DEFAULTS)).toContain("it is /etc");
    expect(hostPathProblem("/srv/x/../../var/lib/docker", DEFAULTS)).toContain("it is /var/lib/docker");
  });

  it("a symlink's target must be under an allowed root too, and pass the deny-list", () => {
    expect(hostPathProblem("/srv/innocent", DEFAULTS, "/srv/real")).toBeUndefined();
    expect(hostPathProblem("/srv/innocent", DEFAULTS, "/mnt/disk/real")).toBeUndefined();
    expect(hostPathProblem("/srv/innocent", DEFAULTS, "/opt/elsewhere")).toBe(
      "through a symlink (/srv/innocent -> /opt/elsewhere) it is not under an allowed data root (/srv, /mnt, /data); " +
        "move the data there or let the operator allow its root with --allow-host-path ROOT",
    );
    expect(hostPathProblem("/srv/innocent", DEFAULTS, "/etc")).toContain(
      "through a symlink (/srv/innocent -> /etc) it is /etc, which would give the app control of the node",
    );
    expect(hostPathProblem("/var/data", ["/var"], "/var/run")).toContain(
      "through a symlink (/var/data -> /var/run) it contains /var/run/docker.sock",
    );
  });
});

describe("--allow-host-path values", () => {
  it.each([
    ["", 'must be an absolute, normalised directory such as /srv/data, got ""'],
    [".", 'must be an absolute, normalised directory such as /srv/data, got "."'],
    ["rel", 'must be an absolute, normalised directory such as /srv/data, got "rel"'],
    ["srv/data", 'must be an absolute, normalised directory such as /srv/data, got "srv/data"'],
    ["/srv/", 'must be an absolute, normalised directory such as /srv/data, got "/srv/"'],
    ["/srv//data", 'must be an absolute, normalised directory such as /srv/data, got "/srv//data"'],
    ["/srv/./data", 'must be an absolute, normalised directory such as /srv/data, got "/srv/./data"'],
    ["/srv/../etc", 'must be an absolute, normalised directory such as /srv/data, got "/srv/../etc"'],
    ["/", "allowing the whole file system is not supported; allow the data directories your apps use"],
    ["//", "allowing the whole file system is not supported; allow the data directories your apps use"],
    ["/etc/app", "/etc/app: it lies in /etc, where host paths are never allowed"],
    ["/var/lib/docker", "/var/lib/docker: it lies in /var/lib/docker, where host paths are never allowed"],
  ])("refuses %j", (root, message) => {
    expect(allowedRootProblem(root, "--allow-host-path")).toContain(message);
  });

  it.each(["/srv", "/srv/data", "/var/lib/postgres", "/opt", "/var"])("accepts %s", (root) => {
    expect(allowedRootProblem(root, "--allow-host-path")).toBeUndefined();
  });
});

describe("the planner and the host-path policy", () => {
  it("rejects a forbidden path with the volume's position, and plans the others", () => {
    const bad = anApp("sneaky").persistent().withHostPath("/var/run/docker.sock", "/sock").build();
    const good = anApp("fine").build();
    const result = plan(desiredOf([bad, good]), swarm(), OPTIONS);
    expect(result.rejections).toEqual([
      {
        app: "sneaky",
        rule: "host-path-forbidden",
        message:
          "spec.volumes[0].hostPath: binding /var/run/docker.sock is refused: it is /var/run/docker.sock, which " +
          "would give the app control of the node; bind a directory under /srv instead",
        position: bad.positions["spec.volumes[0].hostPath"],
      },
    ]);
    expect(result.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["create fine"]);
  });

  it("rejects a parent of a forbidden path (/var/run)", () => {
    const app = anApp("runner").persistent().withHostPath("/var/run", "/host-run").build();
    const result = plan(desiredOf([app]), swarm(), { ...OPTIONS, allowHostPaths: ["/var"] });
    expect(result.rejections.map((r) => r.message)).toEqual([
      expect.stringContaining("binding /var/run is refused: it contains /var/run/docker.sock"),
    ]);
    expect(result.actions).toEqual([]);
  });

  it("uses the default roots when none are given, and the given ones instead of them", () => {
    const opt = anApp("opt").persistent().withHostPath("/opt/app", "/data").build();
    const srv = anApp("srv").persistent().withHostPath("/srv/app", "/data").build();
    const byDefault = plan(desiredOf([opt, srv]), swarm(), OPTIONS);
    expect(byDefault.rejections.map((r) => `${r.app}: ${r.message}`)).toEqual([
      expect.stringMatching(/^opt: .*not under an allowed data root \(\/srv, \/mnt, \/data\)/),
    ]);
    expect(byDefault.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["pin srv", "create srv"]);

    const replaced = plan(desiredOf([opt, srv]), swarm(), { ...OPTIONS, allowHostPaths: ["/opt"] });
    expect(replaced.rejections.map((r) => `${r.app}: ${r.message}`)).toEqual([
      expect.stringMatching(/^srv: .*not under an allowed data root \(\/opt\)/),
    ]);
    expect(replaced.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["pin opt", "create opt"]);
  });

  it("refuses a path in /etc even when the operator allows it as a root", () => {
    const app = anApp("etc-reader").persistent().withHostPath("/etc/app-config", "/config", true).build();
    const result = plan(desiredOf([app]), swarm(), { ...OPTIONS, allowHostPaths: ["/etc/app-config"] });
    expect(result.rejections.map((r) => r.rule)).toEqual(["host-path-forbidden"]);
    expect(result.actions).toEqual([]);
  });

  it("uses resolved symlinks given at the edge: out of the roots, or into a forbidden path", () => {
    const linked = anApp("linked").persistent().withHostPath("/srv/link", "/data").build();
    const fine = anApp("fine").persistent().withHostPath("/srv/fine", "/data").build();
    const result = plan(desiredOf([linked, fine]), swarm(), {
      ...OPTIONS,
      resolvedHostPaths: new Map([
        ["/srv/link", "/opt/outside"],
        ["/srv/fine", "/mnt/disk/fine"],
      ]),
    });
    expect(result.rejections.map((r) => `${r.app}: ${r.message}`)).toEqual([
      expect.stringContaining(
        "linked: spec.volumes[0].hostPath: binding /srv/link is refused: through a symlink",
      ),
    ]);
    expect(result.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["pin fine", "create fine"]);
  });
});

describe("host paths the controller cannot see", () => {
  const message = (path: string) =>
    `host path ${path} cannot be seen from this controller (not on this machine or not readable), so its ` +
    `symlinks were not checked; the allowed data roots are what protects it`;

  it("warns once per unseen path, naming the app, and plans the app", () => {
    const seen = anApp("seen").persistent().withHostPath("/srv/seen", "/data").build();
    const unseen = anApp("unseen")
      .persistent()
      .withHostPath("/srv/elsewhere", "/data")
      .withHostPath("/mnt/far", "/far")
      .build();
    const result = plan(desiredOf([seen, unseen]), swarm(), {
      ...OPTIONS,
      resolvedHostPaths: new Map([["/srv/seen", "/srv/seen"]]),
      unseenHostPaths: new Set(["/srv/elsewhere", "/mnt/far"]),
    });
    expect(result.warnings).toEqual([
      { app: "unseen", message: message("/srv/elsewhere") },
      { app: "unseen", message: message("/mnt/far") },
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.actions.map((a) => `${a.kind} ${a.app}`)).toEqual([
      "pin seen",
      "pin unseen",
      "create seen",
      "create unseen",
    ]);
  });

  it("does not warn about a rejected app's path (it is refused anyway)", () => {
    const refused = anApp("refused").persistent().withHostPath("/opt/x", "/data").build();
    const kept = anApp("kept").persistent().withHostPath("/srv/x", "/data").build();
    const result = plan(desiredOf([refused, kept]), swarm(), {
      ...OPTIONS,
      unseenHostPaths: new Set(["/opt/x", "/srv/x"]),
    });
    expect(result.rejections.map((r) => r.app)).toEqual(["refused"]);
    expect(result.warnings).toEqual([{ app: "kept", message: message("/srv/x") }]);
  });
});
