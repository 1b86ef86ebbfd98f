import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pino } from "pino";
import { contentValue, HIDDEN } from "../../../src/content/index.js";

const SECRET = "s3cr3t-password-value";

/** Every way the value could reach a log, a plan or a terminal. */
function serialisations(value: unknown): string[] {
  return [
    JSON.stringify(value),
    JSON.stringify({ nested: { value } }),
    inspect(value),
    inspect({ value }, { depth: 10, showHidden: true }),
    String(value),
    `${value as string}`,
  ];
}

/** What pino writes for an object carrying the value. */
function pinoLine(value: unknown): string {
  let out = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  pino({}, sink).info({ value, action: { value } }, "created");
  return out;
}

describe("contentValue", () => {
  it("gives the bytes to read() only, as a copy", () => {
    const bytes = Buffer.from(SECRET);
    const value = contentValue(bytes);
    bytes.fill(0);
    const first = value.read();
    expect(first.toString()).toBe(SECRET);
    first.fill(0);
    expect(value.read().toString()).toBe(SECRET);
  });

  it("shows (hidden) to JSON.stringify, util.inspect, toString and template literals", () => {
    const value = contentValue(Buffer.from(SECRET));
    expect(JSON.stringify(value)).toBe(`"${HIDDEN}"`);
    expect(inspect(value)).toBe(HIDDEN);
    expect(String(value)).toBe(HIDDEN);
    expect(value.toJSON()).toBe(HIDDEN);
    for (const text of serialisations(value)) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain(HIDDEN);
    }
  });

  it("shows (hidden) in pino's output", () => {
    const line = pinoLine(contentValue(Buffer.from(SECRET)));
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line)).toMatchObject({ value: HIDDEN, action: { value: HIDDEN } });
  });

  it("keeps the bytes out of every property an enumeration reaches", () => {
    const value = contentValue(Buffer.from(SECRET));
    const reachable = Reflect.ownKeys(value).map(
      (key) => (value as unknown as Record<PropertyKey, unknown>)[key],
    );
    expect(reachable.every((v) => typeof v === "function")).toBe(true);
  });

  it("reveals no bytes through any serialisation, whatever they are", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), (raw) => {
        const bytes = Buffer.from(raw);
        const value = contentValue(bytes);
        expect(value.read().equals(bytes)).toBe(true);
        const hidden = JSON.stringify(HIDDEN);
        expect(JSON.stringify(value)).toBe(hidden);
        expect(inspect(value)).toBe(HIDDEN);
        expect(String(value)).toBe(HIDDEN);
        expect(JSON.parse(pinoLine(value)).value).toBe(HIDDEN);
      }),
    );
  });
});
