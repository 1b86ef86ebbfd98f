import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandsFor, COMMANDS } from "../../../src/cli/commandModules.js";

const argv = (...args: string[]) => ["node", "alacrity", ...args];

describe("commandsFor", () => {
  it("loads only the command named first", () => {
    expect(commandsFor(argv("validate", "a.yaml"))).toEqual(["validate"]);
    expect(commandsFor(argv("apply", "--dir", "apps"))).toEqual(["apply"]);
  });

  it("loads none for --version and all for help or an unknown name", () => {
    expect(commandsFor(argv("--version"))).toEqual([]);
    expect(commandsFor(argv("-V"))).toEqual([]);
    const all = [
      "validate",
      "schema",
      "plan",
      "apply",
      "run",
      "status",
      "data",
      "backup",
      "restore",
      "move",
      "import",
    ];
    expect(commandsFor(argv())).toEqual(all);
    expect(commandsFor(argv("--help"))).toEqual(all);
    expect(commandsFor(argv("help", "apply"))).toEqual(all);
    expect(commandsFor(argv("aply"))).toEqual(all);
    expect(commandsFor(argv("toString"))).toEqual(all);
  });

  it("each module registers the command it is listed under", async () => {
    for (const [name, load] of Object.entries(COMMANDS)) {
      const program = new Command("alacrity");
      (await load())(program);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
    // Transforming every command's module graph from source takes seconds on a busy machine.
  }, 60_000);
});
