import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { copyProgress } from "../../../src/cli/copyProgress.js";

/* Issue 19: `alacrity move` draws a bar on a terminal and prints one line per step otherwise. */

function stream(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  let text = "";
  pass.on("data", (d: Buffer) => (text += d.toString()));
  return {
    out: Object.assign(pass, {
      isTTY,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
    }) as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

describe("copyProgress", () => {
  it("on a pipe: steps as lines, no bar", () => {
    const { out, text } = stream(false);
    const progress = copyProgress(out);
    expect(progress.onProgress).toBeUndefined();
    progress.step("stopped db (0.6 s)");
    progress.stop();
    expect(text()).toBe("stopped db (0.6 s)\n");
  });

  it("on a terminal: a bar of the bytes copied, ended by the next step", () => {
    const { out, text } = stream(true);
    const progress = copyProgress(out);
    progress.onProgress?.(25_000_000, 100_000_000);
    expect(text()).toContain("copying [");
    // The bar redraws on its own timer; its first frame already says the size.
    expect(text()).toContain("/100.0 MB");
    progress.step("copied 1 volume(s)");
    expect(text()).toContain("copied 1 volume(s)\n");
    progress.stop();
  });
});
