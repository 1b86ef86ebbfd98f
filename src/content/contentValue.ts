import { inspect } from "node:util";
import type { ContentValue } from "../swarm/types.js";

/** How a secret's or config's content shows wherever it is printed, logged or serialised. */
export const HIDDEN = "(hidden)";

/** A ContentValue that also says, to the type checker, that it can be turned into a string safely. */
export type HiddenContent = ContentValue & { toString(): string };

/**
 * Wraps a secret's or config's bytes so only `read()` gives them: JSON.stringify (pino, plan
 * output), util.inspect (console.log, vitest's diffs), String() and template literals all see
 * `(hidden)`. The bytes live in a closure, not a property, so no enumeration of the object
 * reaches them either. `read()` returns a copy: a caller that zeroes or changes its buffer
 * leaves the value intact for the next one.
 */
export function contentValue(bytes: Buffer): HiddenContent {
  const held = Buffer.from(bytes);
  const value = {
    read: (): Buffer => Buffer.from(held),
    toJSON: (): string => HIDDEN,
    toString: (): string => HIDDEN,
    [inspect.custom]: (): string => HIDDEN,
    [Symbol.toPrimitive]: (): string => HIDDEN,
  };
  return Object.freeze(value);
}
