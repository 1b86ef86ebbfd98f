import { describe, expect, it } from "vitest";
import { isEndedTaskState, isLiveTaskState } from "../../../src/domain/taskStates.js";

describe("Swarm task states", () => {
  it("splits the lifecycle at running: live up to it, ended after it", () => {
    const live = ["new", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running"];
    const ended = ["complete", "shutdown", "failed", "rejected", "remove", "orphaned"];
    for (const state of live) {
      expect(isLiveTaskState(state), state).toBe(true);
      expect(isEndedTaskState(state), state).toBe(false);
    }
    for (const state of ended) {
      expect(isEndedTaskState(state), state).toBe(true);
      expect(isLiveTaskState(state), state).toBe(false);
    }
  });

  it("takes an unknown or missing state for neither", () => {
    for (const state of ["", undefined, "paused", "RUNNING"]) {
      expect(isLiveTaskState(state)).toBe(false);
      expect(isEndedTaskState(state)).toBe(false);
    }
  });
});
