import type Docker from "dockerode";
import { lookupEngineNode } from "../apply/engineNode.js";
import { resolveHostPaths } from "../apply/resolveHostPaths.js";
import { resolveContents } from "../content/index.js";
import type { DesiredState } from "../manifest/types.js";
import type { PlanOptions } from "../reconcile/types.js";
import { contentOptionsOf, planOptionsOf, type DirOptions } from "./commonOptions.js";

/**
 * The planner's options as `plan`, `apply` and `status` build them: the command line's, and what
 * is read at the edge before planning (host paths' symlinks, the engine's node for external
 * volumes, the Secret and Config contents), so the planner itself stays pure.
 */
export async function planInputs(
  docker: Docker,
  desired: DesiredState,
  options: DirOptions,
  dir: string,
  guards?: { allowEmpty?: boolean; allowMassPrune?: boolean },
): Promise<PlanOptions> {
  return {
    ...planOptionsOf(options, guards),
    ...(await resolveHostPaths(desired)),
    ...(await lookupEngineNode(docker, desired)),
    contents: await resolveContents(desired, contentOptionsOf(options, dir)),
  };
}
