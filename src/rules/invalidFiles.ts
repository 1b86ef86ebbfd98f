import { inFailedFile } from "../manifest/failedFiles.js";
import type { DesiredState, InvalidApp } from "../manifest/types.js";
import { LABEL } from "../domain/names.js";
import type { ObservedService } from "../swarm/types.js";
import type { Rejection, StageRule } from "./rule.js";

/*
 * CONTRACT §3.2: a manifest file that cannot be read, parsed or validated never causes the
 * removal of any app; the apps it last defined are kept as they are until it is valid again.
 */

const KEEPS = "the app is left as it is until the file is valid";

/**
 * An app whose document is invalid is rejected with the document's first error. The position is
 * in `position` only: every output prints it in front of the message, once.
 */
export const INVALID_MANIFEST = {
  id: "invalid-manifest",
  title: "An app whose document is invalid is left as it is",
  contract: "§3.2",
  input: "documents",
  check: (name: string, invalid: InvalidApp): Rejection => {
    const first = invalid.errors[0];
    const count = invalid.errors.length;
    const more = count > 1 ? ` (and ${count - 1} more error${count > 2 ? "s" : ""})` : "";
    if (!first)
      return { app: name, rule: "invalid-manifest", message: `${invalid.file}: invalid manifest; ${KEEPS}` };
    return {
      app: name,
      rule: "invalid-manifest",
      message: `${first.path ? `${first.path}: ` : ""}${first.message}${more}; ${KEEPS}`,
      position: { file: first.file, line: first.line, col: first.col },
    };
  },
} as const satisfies StageRule;

/**
 * A managed service no manifest defines is kept when its name is an invalid document's app, or
 * its `alacrity.file` is a file that fails now or lies in a directory that does.
 */
export const KEEP_FAILED_FILES = {
  id: "keep-failed-files",
  title: "A broken file never causes the removal of the apps it defined",
  contract: "§3.2",
  input: "removals",
  check: (service: ObservedService, desired: DesiredState, invalidNames: ReadonlySet<string>): boolean => {
    if (invalidNames.has(service.name)) return true;
    const file = service.fields.labels[LABEL.file];
    return file !== undefined && inFailedFile(desired.failedFiles, file);
  },
} as const satisfies StageRule;
