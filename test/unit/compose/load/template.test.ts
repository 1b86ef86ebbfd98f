import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interpolateString } from "../../../../src/compose/load/template.js";

const vars: Record<string, string> = { SET: "value", EMPTY: "", OTHER: "other" };
const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
const value = (text: string) => {
  const result = interpolateString(text, lookup);
  if (!result.ok) throw new Error(result.message);
  return result.value;
};

describe("interpolateString", () => {
  it.each([
    ["$SET", "value"],
    ["${SET}", "value"],
    ["a-$SET-b", "a-value-b"],
    ["$SET.x", "value.x"],
    ["${SET}x", "valuex"],
    ["${SET:-d}", "value"],
    ["${EMPTY:-d}", "d"],
    ["${UNSET:-d}", "d"],
    ["${SET-d}", "value"],
    ["${EMPTY-d}", ""],
    ["${UNSET-d}", "d"],
    ["${SET:?m}", "value"],
    ["${EMPTY?m}", ""],
    ["${SET:+alt}", "alt"],
    ["${EMPTY:+alt}", ""],
    ["${UNSET:+alt}", ""],
    ["${SET+alt}", "alt"],
    ["${EMPTY+alt}", "alt"],
    ["${UNSET+alt}", ""],
    ["$$SET", "$SET"],
    ["$${SET}", "${SET}"],
    ["cost: $$5", "cost: $5"],
    ["${UNSET:-${OTHER}}", "other"],
    ["${UNSET:-a ${UNSET2:-b} c}", "a b c"],
    ["${UNSET:-}", ""],
    ["${UNSET:-x:y-z}", "x:y-z"],
    ["no variables", "no variables"],
  ])("%s gives %s", (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it("an unset variable without default gives an empty string and is reported with its offset", () => {
    expect(interpolateString("a ${UNSET} $UNSET2 $SET", lookup)).toEqual({
      ok: true,
      value: "a   value",
      unset: [
        { name: "UNSET", offset: 2 },
        { name: "UNSET2", offset: 11 },
      ],
    });
    // A default, an alternative or a set variable is no use of an unset one.
    expect(interpolateString("${UNSET:-d}${UNSET-d}${UNSET:+a}${UNSET+a}$SET", lookup)).toMatchObject({
      unset: [],
    });
  });

  it("a default is evaluated only when used", () => {
    expect(value("${SET:-${NEEDED:?never asked}}")).toBe("value");
    expect(interpolateString("${UNSET:-${NEEDED:?is asked}}", lookup)).toMatchObject({
      ok: false,
      offset: 9,
      variable: "NEEDED",
    });
  });

  it.each([
    ["${UNSET:?give a tag}", 0, "required variable UNSET is not set: give a tag"],
    ["x ${EMPTY:?give a tag}", 2, "required variable EMPTY is empty: give a tag"],
    ["${UNSET?}", 0, "required variable UNSET is not set"],
    ["${UNSET?msg with $SET}", 0, "required variable UNSET is not set: msg with value"],
  ])("%s is an error at %d", (text, offset, message) => {
    expect(interpolateString(text, lookup)).toEqual({
      ok: false,
      offset,
      message,
      variable: expect.any(String),
    });
    expect(value(text.replace("UNSET", "SET").replace("EMPTY", "SET"))).toMatch(/^(x )?value$/);
  });

  it.each([
    ["price $5", 6, /"\$" must be followed by a variable name/],
    ["trailing $", 9, /"\$" must be followed by a variable name/],
    ["${", 0, /is not closed/],
    ["a ${SET", 2, /is not closed/],
    ["${UNSET:-abc", 0, /is not closed/],
    ["${}", 0, /must be followed by a variable name/],
    ["${1A}", 0, /must be followed by a variable name/],
    ["${SET BAD}", 0, /after the name comes/],
    ["${SET:x}", 0, /after the name comes/],
  ])("%s is invalid at %d", (text, offset, message) => {
    const result = interpolateString(text, lookup);
    expect(result).toMatchObject({ ok: false, offset });
    if (!result.ok) {
      expect(result.message).toMatch(message);
      expect(result.message).toContain("write $$ for a literal $");
    }
  });

  it("text without a $ is left as it is, and $$ always stands for one $", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(value(text.replaceAll("$", ""))).toBe(text.replaceAll("$", ""));
        expect(value(text.replaceAll("$", () => "$$"))).toBe(text);
      }),
    );
  });

  it("a set variable is replaced by its value whatever the value holds", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, held) => {
        const safe = before.replaceAll("$", () => "$$");
        const result = interpolateString(`${safe}\${V}`, (name) => (name === "V" ? held : undefined));
        expect(result).toEqual({ ok: true, value: `${before}${held}`, unset: [] });
      }),
    );
  });
});
