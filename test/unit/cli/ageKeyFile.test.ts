import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../../src/cli/commandModules.js";
import { contentOptionsOf } from "../../../src/cli/commonOptions.js";

// The real commands, with their action replaced by one that keeps what commander parsed: the
// option must reach each command's options from the flag and from the environment alike.
async function parsedOptions(name: string, args: string[]): Promise<Record<string, unknown>> {
  const program = new Command("alacrity").exitOverride();
  for (const register of Object.values(COMMANDS)) (await register())(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`no command ${name}`);
  let parsed: Record<string, unknown> = {};
  command.action((options: Record<string, unknown>) => {
    parsed = options;
  });
  await program.parseAsync(["node", "alacrity", name, ...args]);
  return parsed;
}

afterEach(() => {
  delete process.env["ALACRITY_AGE_KEY_FILE"];
});

describe("--age-key-file", () => {
  it.each(["plan", "apply", "run"])(
    "is an option of %s, with ALACRITY_AGE_KEY_FILE as fallback",
    async (name) => {
      expect((await parsedOptions(name, ["--dir", "apps", "--age-key-file", "/keys/a.txt"])).ageKeyFile).toBe(
        "/keys/a.txt",
      );
      process.env["ALACRITY_AGE_KEY_FILE"] = "/keys/from-env.txt";
      expect((await parsedOptions(name, ["--dir", "apps"])).ageKeyFile).toBe("/keys/from-env.txt");
      expect((await parsedOptions(name, ["--dir", "apps", "--age-key-file", "/keys/b.txt"])).ageKeyFile).toBe(
        "/keys/b.txt",
      );
    },
  );

  it("is absent when neither is given", async () => {
    expect((await parsedOptions("apply", ["--dir", "apps"])).ageKeyFile).toBeUndefined();
  });

  it("becomes the identity file of the content options", () => {
    expect(contentOptionsOf({ instance: "default", ageKeyFile: "/keys/a.txt" }, "/srv/apps")).toEqual({
      appsDir: "/srv/apps",
      env: process.env,
      ageIdentityFile: "/keys/a.txt",
    });
  });
});
