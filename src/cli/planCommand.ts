import type { Command } from "commander";
import { loadDesiredState } from "../manifest/loader/index.js";
import { formatError } from "../manifest/types.js";
import type { ManifestError } from "../manifest/types.js";
import type { Plan } from "../reconcile/types.js";
import { plan } from "../reconcile/plan.js";
import {
  addAdoptStackOption,
  addAgeKeyFileOption,
  addDirOptions,
  addOutputOption,
  printJson,
  requireDir,
} from "./commonOptions.js";
import type { DirOptions } from "./commonOptions.js";
import { ExitError } from "./exitError.js";
import { errorLine, planDocument, renderPlan } from "./render/planText.js";
import { planInputs } from "./planInputs.js";
import { openDocker, startObserving } from "./swarmSession.js";

interface PlanCommandOptions extends DirOptions {
  output: "text" | "json";
}

/**
 * Exit status of `plan` (CONTRACT §4): 1 invalid, rejected or held apps (a held app, like a
 * rejected one, waits for the user), 2 changes pending, 0 nothing to do.
 */
export function planExitCode(
  p: { actions: unknown[]; rejections: unknown[]; heldBack: unknown[]; held?: unknown[] },
  invalid: number,
): number {
  if (invalid > 0 || p.rejections.length > 0 || (p.held?.length ?? 0) > 0) return 1;
  return p.actions.length > 0 || p.heldBack.length > 0 ? 2 : 0;
}

/** What `plan` prints: the manifest errors, then the plan. */
export function planText(errors: readonly ManifestError[], p: Plan): string {
  return `${errors.map((error) => `error: ${errorLine(error)}\n`).join("")}${renderPlan(p)}\n`;
}

export function registerPlanCommand(program: Command): void {
  const command = program
    .command("plan")
    .description(
      "show what `apply` would change: create / update (with the changed fields) / scale / remove, and rejections",
    )
    .addHelpText(
      "after",
      "\nExit status: 0 nothing to do, 2 changes pending, 1 invalid, rejected or held apps present (held: Swarm rolled back the spec; see apply --retry).\n\nExamples:\n  alacrity plan --dir apps\n  alacrity plan --dir apps --output json | jq .summary",
    );
  addOutputOption(addAgeKeyFileOption(addDirOptions(addAdoptStackOption(command), true))).action(
    async (options: PlanCommandOptions) => {
      const dir = requireDir(options);
      const docker = openDocker();
      const observing = startObserving(docker);
      const desired = await loadDesiredState(dir);
      const observed = await observing;
      const p = plan(desired, observed, await planInputs(docker, desired, options, dir));
      if (options.output === "json") {
        printJson({
          ...planDocument(p),
          errors: desired.errors.map((e) => ({ ...e, text: formatError(e) })),
        });
      } else {
        process.stdout.write(planText(desired.errors, p));
      }
      const code = planExitCode(p, desired.errors.length);
      if (code !== 0) throw new ExitError(code);
    },
  );
}
