import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { archiveName } from "../../../src/maintenance/archiveJobs.js";
import { checkBackupDir } from "../../../src/maintenance/backup.js";
import { splitArchivePath } from "../../../src/maintenance/restore.js";
import { findTarget, tasksElsewhere } from "../../../src/maintenance/target.js";
import type { ObservedState } from "../../../src/swarm/types.js";
import { refusal } from "./refusal.js";
import { aSwarm, anApp, desiredOf, OPTIONS } from "../reconcile/builders.js";
import { applyWholePlan } from "../reconcile/memorySwarm.js";

/* Issue 19: what a backup, restore or move checks before it stops anything. */

const db = anApp("db").persistent().withVolume("data", "/data").withHostPath("/srv/db/dumps", "/dumps");

function deployed(): ObservedState {
  const empty = aSwarm().withNode("a").withNode("b").build();
  return applyWholePlan(empty, plan(desiredOf([db.build(), anApp("web").build()]), empty, OPTIONS));
}

describe("findTarget", () => {
  it("finds a persistent app's node and the storage its service mounts", () => {
    const observed = deployed();
    const target = findTarget(observed, "db");
    expect(target).toMatchObject({
      app: "db",
      nodeId: observed.pins[0]!.nodeId,
      storage: { volumes: ["alacran--data"], hostPaths: ["/srv/db/dumps"] },
    });
    expect(target.service?.name).toBe("db");
  });

  it("uses the pin's record for an app that was removed", () => {
    const observed = deployed();
    const removed = { ...observed, services: observed.services.filter((s) => s.name !== "db") };
    const target = findTarget(removed, "db");
    expect(target.service).toBeUndefined();
    expect(target.storage).toEqual({ volumes: ["alacran--data"], hostPaths: ["/srv/db/dumps"] });
  });

  it("refuses a stateless app, an unknown one, and one whose node is gone or drained", () => {
    const observed = deployed();
    expect(refusal(() => findTarget(observed, "web"))).toContain("web is not a persistent app");
    expect(refusal(() => findTarget(observed, "nope"))).toContain("no app nope on this Swarm");
    const pinned = observed.pins[0]!.nodeId;
    const gone = { ...observed, nodes: observed.nodes.filter((n) => n.id !== pinned) };
    expect(refusal(() => findTarget(gone, "db"))).toContain("no longer in the Swarm");
    const drained = {
      ...observed,
      nodes: observed.nodes.map((n) => (n.id === pinned ? { ...n, availability: "drain" } : n)),
    };
    expect(refusal(() => findTarget(drained, "db"))).toContain("drained");
  });

  it("lists tasks of the app that run on another node than its pin's", () => {
    const observed = deployed();
    const target = findTarget(observed, "db");
    const task = {
      id: "t1",
      serviceId: target.service!.id,
      desiredState: "running",
      state: "running",
      message: "",
      timestamp: "2026-12-03T12:00:00Z",
      nodeId: target.nodeId,
    };
    expect(tasksElsewhere({ ...observed, tasks: [task] }, target)).toEqual([]);
    expect(tasksElsewhere({ ...observed, tasks: [{ ...task, nodeId: "other" }] }, target)).toEqual(["other"]);
  });
});

describe("archive names and paths", () => {
  it("names an archive by app and UTC time, sortable", () => {
    const at = new Date("2026-12-03T11:45:01.123Z");
    expect(archiveName("db", at)).toBe("db--20261203T114501Z.tar.gz");
    expect(archiveName("db", at, "--before-restore")).toBe("db--20261203T114501Z--before-restore.tar.gz");
  });

  it("takes an archive by its absolute, normal path only", () => {
    expect(splitArchivePath("/srv/backups/db--1.tar.gz")).toEqual({
      backupDir: "/srv/backups",
      name: "db--1.tar.gz",
    });
    for (const bad of ["db.tar.gz", "/srv/../etc/db.tar.gz", "/srv/backups/", "/srv//b/db.tar.gz"])
      expect(refusal(() => splitArchivePath(bad))).toContain("absolute path");
  });

  it("keeps the backup directory to the host-path policy", () => {
    expect(() => checkBackupDir("/srv/backups", undefined)).not.toThrow();
    expect(refusal(() => checkBackupDir("/etc/backups", undefined))).toContain("--backup-dir /etc/backups");
    expect(refusal(() => checkBackupDir("/srv/backups", ["/data"]))).toContain("--backup-dir /srv/backups");
  });
});
