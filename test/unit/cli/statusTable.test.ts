import { describe, expect, it } from "vitest";
import { renderStatusTable } from "../../../src/cli/render/statusTable.js";
import type { StatusRow } from "../../../src/reconcile/status.js";

const row = (over: Partial<StatusRow>): StatusRow => ({
  name: "web",
  persistent: false,
  desired: 3,
  running: 3,
  volumes: [],
  networks: ["alacran--default"],
  state: "running",
  reason: "",
  ...over,
});

describe("status table", () => {
  it("aligns the contract's columns and leaves the reason unpadded", () => {
    const text = renderStatusTable([
      row({}),
      row({
        name: "blog-db",
        persistent: true,
        desired: 1,
        running: 0,
        node: "worker-2",
        nodeState: "down/active",
        volumes: ["alacran--db"],
        state: "waiting",
        reason: "pinned node worker-2 is down: a persistent app waits for its node",
      }),
    ]);
    expect(text.split("\n")).toEqual([
      "NAME     PERSISTENT  REPLICAS  NODE                    VOLUMES      NETWORKS          STATE    REASON",
      "web      no          3/3       -                       -            alacran--default  running  -",
      "blog-db  yes         0/1       worker-2 (down/active)  alacran--db  alacran--default  waiting  pinned node worker-2 is down: a persistent app waits for its node",
    ]);
  });

  it("adds a REVISION column, shortened, only when an app came from Git", () => {
    const text = renderStatusTable([row({ revision: "0123456789abcdef0123" }), row({ name: "other" })]);
    const [header, first, second] = text.split("\n");
    expect(header).toMatch(/STATE\s+REVISION\s+REASON$/);
    expect(first).toContain("0123456789ab ");
    expect(first).not.toContain("0123456789abc");
    expect(second).toMatch(/running\s+-\s+-$/);
  });

  it("says so when there is nothing to show", () => {
    expect(renderStatusTable([])).toBe("No managed apps.");
  });
});
