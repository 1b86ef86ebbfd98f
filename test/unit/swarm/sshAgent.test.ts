import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { SshAgent } from "../../../src/swarm/sshAgent.js";
import { ManualClock } from "../../support/manualClock.js";

/** A connection as the agent's keep-alive hooks see it (no ssh is started: they only time it). */
class IdleConnection extends Duplex {
  refs = 0;
  override _read(): void {}
  unref(): this {
    this.refs--;
    return this;
  }
  ref(): this {
    this.refs++;
    return this;
  }
}

describe("SshAgent's idle connections", () => {
  it("closes a connection idle for idleMs on its clock, and not one reused before", () => {
    const clock = new ManualClock();
    const agent = new SshAgent({ host: "unused" }, { idleMs: 300, clock });
    const idle = new IdleConnection();
    const reused = new IdleConnection();

    expect(agent.keepSocketAlive(idle)).toBe(true);
    expect(agent.keepSocketAlive(reused)).toBe(true);
    expect(clock.pendingDelays()).toEqual([300, 300]);
    expect([idle.refs, reused.refs]).toEqual([-1, -1]);
    agent.reuseSocket(reused);
    expect(reused.refs).toBe(0);
    expect(clock.pending).toBe(1);

    clock.advance(299);
    expect(idle.destroyed).toBe(false);
    clock.advance(1);
    expect(idle.destroyed).toBe(true);
    expect(reused.destroyed).toBe(false);
    agent.destroy();
  });
});
