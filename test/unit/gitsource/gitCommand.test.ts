import { describe, expect, it } from "vitest";
import { runGit } from "../../../src/gitsource/gitCommand.js";
import { ManualClock } from "../../support/manualClock.js";

// A git that hangs: an alias exec'ing a sleep, so that git is the only process holding the pipes
// and killing it ends the command.
const HANG = ["-c", "alias.hang=!exec sleep 5 </dev/null >/dev/null 2>&1", "hang"];

describe("runGit", () => {
  it("kills a git that outlives its timeout, on its clock", async () => {
    const clock = new ManualClock();
    let settled = false;
    const run = runGit(HANG, { env: process.env, timeoutMs: 3000, clock }).finally(() => (settled = true));
    expect(clock.pendingDelays()).toEqual([3000]);
    clock.advance(2999);
    // Real time passes too: only the clock kills.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(run).rejects.toThrow("git hang failed: fatal: timed out after 3000 ms");
  });

  it("clears the kill once git is done", async () => {
    const clock = new ManualClock();
    expect(await runGit(["--version"], { env: process.env, clock })).toMatch(/^git version /);
    expect(clock.delays).toEqual([120_000]);
    expect(clock.pending).toBe(0);
  });
});
