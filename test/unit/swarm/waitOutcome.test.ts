import { describe, expect, it } from "vitest";
import { swarmReason, updateOutcome } from "../../../src/domain/updateOutcome.js";
import { oneLine, PROBE_OUTPUT_MAX } from "../../../src/swarm/probeOutput.js";
import { taskErrorText, updateVerdict } from "../../../src/swarm/waitOutcome.js";
import type { UpdateContext } from "../../../src/swarm/waitOutcome.js";
import type { ObservedTask } from "../../../src/swarm/types.js";

const REASON = "update rolled back due to failure or early termination of task abc";
const failed: ObservedTask = {
  id: "t1",
  serviceId: "s",
  desiredState: "shutdown",
  state: "failed",
  message: "starting",
  error: "task: non-zero exit (137): dockerexec: unhealthy container",
  timestamp: "2026-01-01T00:00:00Z",
};

const ctx = (state: string, message: string, more: Partial<UpdateContext> = {}): UpdateContext => ({
  status: { state, message },
  specHash: "old",
  expectedHash: "new",
  rememberedReason: undefined,
  ...more,
});

describe("updateOutcome", () => {
  it("maps each of Swarm's update states", () => {
    expect(updateOutcome(undefined)).toEqual({ kind: "done" });
    expect(updateOutcome({ state: "completed", message: "update completed" })).toEqual({ kind: "done" });
    expect(updateOutcome({ state: "updating", message: "update in progress" })).toEqual({
      kind: "in-progress",
      rollingBack: false,
    });
    expect(updateOutcome({ state: "rollback_started", message: REASON })).toEqual({
      kind: "in-progress",
      rollingBack: true,
      reason: REASON,
    });
    // After the rollback Swarm's message only repeats the state.
    expect(updateOutcome({ state: "rollback_completed", message: "rollback completed" })).toEqual({
      kind: "rolled-back",
    });
    expect(updateOutcome({ state: "paused", message: "update paused due to failure" })).toEqual({
      kind: "paused",
      reason: "update paused due to failure",
    });
    expect(updateOutcome({ state: "rollback_paused", message: "rollback paused" }).kind).toBe("paused");
  });

  it("swarmReason drops texts that only repeat the state", () => {
    expect(swarmReason("rollback completed")).toBeUndefined();
    expect(swarmReason("  ")).toBeUndefined();
    expect(swarmReason(REASON)).toBe(REASON);
  });
});

describe("updateVerdict", () => {
  it("keeps waiting while Swarm updates or rolls back", () => {
    expect(updateVerdict(ctx("updating", "update in progress"), undefined)).toEqual({
      verdict: "in-progress",
    });
    expect(updateVerdict(ctx("rollback_started", REASON), failed)).toEqual({ verdict: "in-progress" });
  });

  it("a finished rollback fails with the reason Swarm gave while rolling back", () => {
    const remembered = ctx("rollback_completed", "rollback completed", { rememberedReason: REASON });
    expect(updateVerdict(remembered, failed)).toEqual({
      verdict: "failed",
      problem: "rolled back",
      text: `rolled back: ${REASON}`,
    });
    // Not seen while rolling back (the wait began after): the failed task's error.
    expect(updateVerdict(ctx("rollback_completed", "rollback completed"), failed)).toMatchObject({
      text: `rolled back: ${failed.error}`,
    });
    expect(updateVerdict(ctx("rollback_completed", "rollback completed"), undefined)).toMatchObject({
      text: "rolled back: Swarm gave no reason",
    });
  });

  it("a rollback is history when the service runs the manifest's spec; counts without a manifest", () => {
    const back = ctx("rollback_completed", "rollback completed", { expectedHash: "old" });
    expect(updateVerdict(back, failed)).toBeUndefined();
    const unknown = ctx("rollback_completed", "rollback completed", { expectedHash: undefined });
    expect(updateVerdict(unknown, failed)).toMatchObject({ verdict: "failed", problem: "rolled back" });
  });

  it("a paused update fails, whatever the hash", () => {
    const paused = ctx("paused", "update paused due to failure or early termination of task abc", {
      expectedHash: "old",
    });
    expect(updateVerdict(paused, failed)).toEqual({
      verdict: "failed",
      problem: "update paused",
      text: "update paused: update paused due to failure or early termination of task abc",
    });
  });

  it("a completed update changes nothing", () => {
    expect(updateVerdict(ctx("completed", "update completed"), failed)).toBeUndefined();
    expect(updateVerdict({ ...ctx("x", ""), status: undefined }, failed)).toBeUndefined();
  });
});

describe("probe output text", () => {
  it("oneLine: one line, trimmed, bounded", () => {
    expect(oneLine("  HTTP/1.1 500\r\n\tInternal  error\n")).toBe("HTTP/1.1 500 Internal error");
    const long = oneLine("x".repeat(1000));
    expect(long).toHaveLength(PROBE_OUTPUT_MAX);
    expect(long.endsWith("…")).toBe(true);
    expect(oneLine("short")).toBe("short");
  });

  it("taskErrorText: the probe output for a health failure, Swarm's text for any other", () => {
    const probes = new Map([["t1", { kind: "output" as const, text: "nope" }]]);
    expect(taskErrorText(failed, probes)).toBe("unhealthy: nope");
    const other = { ...failed, error: "task: non-zero exit (1)" };
    expect(taskErrorText(other, probes)).toBe("task: non-zero exit (1)");
  });
});
