import { MaintenanceRefusal } from "../../../src/maintenance/target.js";

/** The message of the refusal `fn` throws; anything else (or nothing) fails the test. */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof MaintenanceRefusal) return err.message;
    throw err;
  }
  throw new Error("not refused");
}
