import type { Logger } from "pino";
import type { DesiredState } from "../manifest/types.js";
import { formatError } from "../manifest/types.js";
import type { Plan } from "../reconcile/types.js";

/**
 * Logs the plan's rejections and warnings and the manifests' errors when they appear, not on
 * every resync (a rejected app is planned again on every pass), and says when a rejection clears.
 */
export class FindingsLog {
  readonly #log: Logger;
  #reported = new Set<string>();
  #reportedManifestErrors = new Set<string>();

  constructor(log: Logger) {
    this.#log = log;
  }

  plan(plan: Plan): void {
    const current = new Map<string, () => void>();
    for (const r of plan.rejections) {
      current.set(`rejection\u0000${r.app}\u0000${r.rule}\u0000${r.message}`, () =>
        this.#log.warn({ app: r.app, rule: r.rule, position: r.position }, `rejected: ${r.message}`),
      );
    }
    for (const w of plan.warnings) {
      current.set(`warning\u0000${w.app ?? ""}\u0000${w.message}`, () =>
        this.#log.warn(w.app === undefined ? {} : { app: w.app }, w.message),
      );
    }
    for (const [key, log] of current) if (!this.#reported.has(key)) log();
    for (const key of this.#reported) {
      if (!current.has(key) && key.startsWith("rejection")) {
        const [, app, rule] = key.split("\u0000");
        this.#log.info({ app, rule }, "rejection cleared");
      }
    }
    this.#reported = new Set(current.keys());
  }

  manifests(desired: DesiredState): void {
    const current = new Set(desired.errors.map(formatError));
    for (const text of current) {
      if (!this.#reportedManifestErrors.has(text))
        this.#log.warn({ manifestError: text }, "invalid manifest");
    }
    this.#reportedManifestErrors = current;
  }
}
