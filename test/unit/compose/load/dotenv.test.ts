import { describe, expect, it } from "vitest";
import { parseDotenv } from "../../../../src/compose/load/dotenv.js";

const environment = (name: string) => (name === "HOME" ? "/home/me" : undefined);
const vars = (text: string) => {
  const result = parseDotenv(text, ".env", environment);
  if (!result.ok) throw new Error(result.error.message);
  return Object.fromEntries(result.vars);
};
const error = (text: string) => {
  const result = parseDotenv(text, ".env", environment);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify([...result.vars])}`);
  return `${result.error.file}:${result.error.line}:${result.error.col}: ${result.error.message}`;
};

describe("parseDotenv", () => {
  it("reads KEY=VALUE lines, export, comments and blank lines", () => {
    const text = [
      "# a comment",
      "",
      "A=1",
      "  B = two words  ",
      "export C=3",
      "D=",
      "E: yaml style",
      "F=x # an inline comment",
      "G=x#not a comment",
      "ONLY_A_KEY",
      "dotted.key-name=ok",
    ].join("\n");
    expect(vars(text)).toEqual({
      A: "1",
      B: "two words",
      C: "3",
      D: "",
      E: "yaml style",
      F: "x",
      G: "x#not a comment",
      "dotted.key-name": "ok",
    });
  });

  it("single quotes keep the value as written, double quotes read escapes", () => {
    const text = [
      `S='a $HOME \\n # kept'`,
      `D="a\\tb\\nc \\"q\\" \\\\ \\$HOME"`,
      `M="line one`,
      `line two"`,
      `AFTER='x'  # comment after the quote`,
    ].join("\n");
    expect(vars(text)).toEqual({
      S: "a $HOME \\n # kept",
      D: 'a\tb\nc "q" \\ $HOME',
      M: "line one\nline two",
      AFTER: "x",
    });
  });

  it("unquoted and double-quoted values are interpolated, the environment first, then the lines above", () => {
    expect(
      vars("DIR=${HOME}/data\nHOME=/elsewhere\nSUB=\"$DIR/sub\"\nDEF=${NOPE:-fallback}\nLIT='$DIR'"),
    ).toEqual({
      DIR: "/home/me/data",
      HOME: "/elsewhere",
      SUB: "/home/me/data/sub",
      DEF: "fallback",
      LIT: "$DIR",
    });
  });

  it("handles CRLF line ends and a byte order mark", () => {
    expect(vars("\uFEFFA=1\r\nB='2'\r\n")).toEqual({ A: "1", B: "2" });
  });

  it("a bad line is an error with its line, and never quotes the value", () => {
    expect(vars("GOOD=1")).toEqual({ GOOD: "1" });
    expect(error("A=1\nB C=secret-value")).toBe(
      ".env:2:2: unexpected space after the variable name B; write KEY=value",
    );
    expect(error("A=1\n=secret-value")).toBe(
      ".env:2:1: a line must start with a variable name (letters, digits, _ . - [ ]), as in KEY=value",
    );
    expect(error("A=1\nKEY@=x")).toBe(
      '.env:2:4: unexpected character "@" after the variable name KEY; write KEY=value',
    );
    expect(error("A=1\n\nB='secret-value\nC=3")).toBe(
      ".env:3:3: the value of B opens a ' quote that is never closed",
    );
    expect(error('A="x"secret')).toMatch(/^\.env:1:6: unexpected text after the closing quote of A$/);
    expect(error("A=1\nB=${NEEDED:?set it}")).toBe(
      ".env:2:3: the value of B: required variable NEEDED is not set: set it",
    );
    for (const text of ["B C=secret-value", "=secret-value", "B='secret-value"])
      expect(error(text)).not.toContain("secret");
  });

  it("counts lines of multi-line values for the errors after them", () => {
    expect(error("A='one\ntwo'\nB C=1")).toMatch(/^\.env:3:2: /);
  });
});
