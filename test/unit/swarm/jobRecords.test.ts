import { describe, expect, it } from "vitest";
import type Docker from "dockerode";
import { LABEL, maintenanceConfigName } from "../../../src/domain/names.js";
import { maintenanceFromRaw } from "../../../src/swarm/observe.js";
import { demux } from "../../../src/swarm/serviceLogs.js";

const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe("service logs", () => {
  it("joins the payloads of stdout and stderr frames in order", () => {
    const raw = Buffer.concat([
      frame(1, "alacrity-job: archive 10 ab\n"),
      frame(2, "warn\n"),
      frame(1, "done\n"),
    ]);
    expect(demux(raw)).toBe("alacrity-job: archive 10 ab\nwarn\ndone\n");
  });

  it("returns text that is not framed as it is", () => {
    expect(demux(Buffer.from("plain output of a TTY\n"))).toBe("plain output of a TTY\n");
  });
});

describe("maintenance records", () => {
  const raw = (name: string, labels: Record<string, string>): Docker.ConfigInfo =>
    ({ ID: "cfg1", Spec: { Name: name, Labels: labels } }) as unknown as Docker.ConfigInfo;
  const labels = {
    [LABEL.app]: "db",
    [LABEL.maintenance]: "backup",
    [LABEL.maintenanceBy]: "ops-1 4242",
    [LABEL.maintenanceSince]: "2026-12-03T12:00:00.000Z",
    [LABEL.maintenanceReplicas]: "1",
  };

  it("are read from their labelled config", () => {
    expect(maintenanceFromRaw(raw(maintenanceConfigName("db"), labels))).toEqual([
      {
        app: "db",
        operation: "backup",
        by: "ops-1 4242",
        since: "2026-12-03T12:00:00.000Z",
        replicas: 1,
        configId: "cfg1",
      },
    ]);
  });

  it("skip a config named for another app or of an unknown operation", () => {
    expect(maintenanceFromRaw(raw(maintenanceConfigName("other"), labels))).toEqual([]);
    expect(
      maintenanceFromRaw(raw(maintenanceConfigName("db"), { ...labels, [LABEL.maintenance]: "wipe" })),
    ).toEqual([]);
  });
});
