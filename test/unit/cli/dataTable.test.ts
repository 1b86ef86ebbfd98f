import { describe, expect, it } from "vitest";
import { humanSize, renderDataTable } from "../../../src/cli/render/dataTable.js";
import type { DataEntry } from "../../../src/reconcile/inventory.js";

const entry = (over: Partial<DataEntry>): DataEntry => ({
  app: "db",
  nodeId: "1gjftae1lcgp5jy77ggq7y6i5",
  hostname: "vm",
  kind: "volume",
  name: "alacran--data",
  appExists: true,
  inUse: true,
  nodeState: "ready",
  ...over,
});

describe("alacrity data's table", () => {
  it("prints sizes as docker system df does", () => {
    expect([0, 999, 1000, 2_000_000, 12_345_678_901].map(humanSize)).toEqual([
      "0 B",
      "999 B",
      "1.0 kB",
      "2.0 MB",
      "12 GB",
    ]);
  });

  it("aligns one row per piece of data, then the delete commands of what no app uses", () => {
    const text = renderDataTable({
      entries: [
        entry({ sizeBytes: 2_000_000 }),
        entry({
          app: "old",
          kind: "host-path",
          name: "/srv/old",
          appExists: false,
          inUse: false,
          nodeState: undefined,
          deleteCommands: [
            { on: "node", node: "vm", command: "rm -rf -- /srv/old" },
            { on: "manager", command: "docker config rm alacrity-pin--old" },
          ],
        }),
      ],
      releases: [
        {
          app: "gone",
          hostname: "w2",
          command: { on: "manager", command: "docker config rm alacrity-pin--gone" },
        },
      ],
    });
    expect(text.split("\n")).toEqual([
      "APP  NODE               DATA                  SIZE    APP STATE             NODE STATE",
      "db   vm (1gjftae1lcgp)  volume alacran--data  2.0 MB  in use                ready",
      "old  vm (1gjftae1lcgp)  host path /srv/old    -       removed: left behind  not in the Swarm",
      "",
      "To delete what no app uses (the data is gone for good):",
      "  old: host path /srv/old",
      "    on vm: rm -rf -- /srv/old",
      "    on a manager: docker config rm alacrity-pin--old",
      "  gone: no data left on w2; release its pin on a manager: docker config rm alacrity-pin--gone",
    ]);
    expect(renderDataTable({ entries: [], releases: [] })).toBe("No persistent data recorded.");
  });
});
