import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../../src/cli/commandModules.js";
import { runCli } from "../../../src/cli/runCli.js";

// The real program, run in this process: a bad root must stop every command before its action
// (which would reach Docker), with one line that says what is expected.
async function program(): Promise<Command> {
  const p = new Command("alacrity").exitOverride();
  for (const register of Object.values(COMMANDS)) (await register())(p);
  return p;
}

async function alacrity(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const code = await runCli(await program(), ["node", "alacrity", ...args], (text) => {
    stderr += text;
  });
  return { code, stderr };
}

const NOT_NORMAL = (name: string, got: string) =>
  `alacrity: ${name} must be an absolute, normalised directory such as /srv/data, got ${JSON.stringify(got)}\n`;
const WHOLE = (name: string, got: string) =>
  `alacrity: ${name} ${JSON.stringify(got)}: allowing the whole file system is not supported; allow the data directories your apps use\n`;

afterEach(() => {
  delete process.env["ALACRITY_ALLOW_HOST_PATH"];
});

describe("--allow-host-path is checked at start-up, the same way for every command", () => {
  const commands = [
    ["validate", "apps"],
    ["plan", "--dir", "apps"],
    ["apply", "--dir", "apps"],
    ["run", "--dir", "apps"],
    ["status"],
  ];

  it.each([
    ["", NOT_NORMAL("--allow-host-path", "")],
    [".", NOT_NORMAL("--allow-host-path", ".")],
    ["rel", NOT_NORMAL("--allow-host-path", "rel")],
    ["/srv/", NOT_NORMAL("--allow-host-path", "/srv/")],
    ["/srv/../etc", NOT_NORMAL("--allow-host-path", "/srv/../etc")],
    ["/", WHOLE("--allow-host-path", "/")],
    ["//", WHOLE("--allow-host-path", "//")],
    [
      "/etc/app",
      "alacrity: --allow-host-path /etc/app: it lies in /etc, where host paths are never allowed (binding it would give an app control of the node); allow a data directory such as /srv/data\n",
    ],
  ])("refuses %j with one clear line and exit 1", async (root, message) => {
    for (const command of commands) {
      // a valid root first: each value is checked, not only the first
      expect(await alacrity([...command, "--allow-host-path", "/srv", "--allow-host-path", root])).toEqual({
        code: 1,
        stderr: message,
      });
    }
  });

  it("reads $ALACRITY_ALLOW_HOST_PATH as a colon-separated list, checked the same way", async () => {
    process.env["ALACRITY_ALLOW_HOST_PATH"] = "/srv:";
    expect(await alacrity(["plan", "--dir", "apps"])).toEqual({
      code: 1,
      stderr: NOT_NORMAL("ALACRITY_ALLOW_HOST_PATH", ""),
    });
    process.env["ALACRITY_ALLOW_HOST_PATH"] = "/srv:/";
    expect(await alacrity(["run", "--dir", "apps"])).toEqual({
      code: 1,
      stderr: WHOLE("ALACRITY_ALLOW_HOST_PATH", "/"),
    });
  });
});
