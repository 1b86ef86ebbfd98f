import { manifestText } from "../apps.js";
import { INSTANCE } from "../config.js";
import { median } from "../stats.js";
import { parseManifest } from "../../src/manifest/parseManifest.js";
import type { AppSpec, DesiredState } from "../../src/manifest/types.js";
import { desiredFields } from "../../src/reconcile/desiredFields.js";
import { plan } from "../../src/reconcile/plan.js";
import type { PlanOptions } from "../../src/reconcile/types.js";
import { fieldsFromSpec } from "../../src/swarm/serviceFields.js";
import { specFromFields } from "../../src/swarm/serviceSpec.js";
import type { ObservedState } from "../../src/swarm/types.js";

export interface PlannerFigure {
  apps: number;
  runs: number;
  medianMs: number;
  runsMs: number[];
}

/**
 * `plan()` alone, in process, for `apps` apps against an observed state that already matches:
 * each observed service is what Swarm would return for the spec AlaCrity writes (spec → fields
 * through the same functions observe uses), so the plan must come out empty.
 */
export function plannerFigure(apps: number, runs = 7): PlannerFigure {
  const options: PlanOptions = { instance: INSTANCE, allowEmpty: false, allowMassPrune: false };
  const specs: AppSpec[] = [];
  for (let i = 0; i < apps; i++) {
    const name = `bench-p${String(i).padStart(5, "0")}`;
    const parsed = parseManifest(manifestText(name, 0), `${name}.yaml`);
    const app = parsed.apps[0];
    if (!app) throw new Error(`the generated manifest of ${name} is invalid`);
    specs.push({ ...app, file: `${name}.yaml` });
  }
  const desired: DesiredState = {
    apps: new Map(specs.map((app) => [app.name, app])),
    invalid: [],
    errors: [],
    failedFiles: new Set(),
    fileCount: specs.length,
    missing: false,
  };
  const observed: ObservedState = {
    services: specs.map((app, i) => {
      const spec = specFromFields(app.name, desiredFields(app, undefined, options));
      return {
        id: `svc${i}`,
        name: app.name,
        serviceName: app.name,
        version: 1,
        fields: fieldsFromSpec(spec),
        rawSpec: spec,
        createdAt: "2025-01-01T00:00:00Z",
        updatedAt: "2025-01-01T00:00:00Z",
      };
    }),
    tasks: [],
    nodes: [
      { id: "node1", hostname: "bench", state: "ready", availability: "active", role: "manager", labels: {} },
    ],
    volumes: [],
    pins: [],
  };
  const runsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = plan(desired, observed, options);
    runsMs.push(performance.now() - started);
    if (result.actions.length > 0 || result.rejections.length > 0)
      throw new Error(`the planner should find nothing to do, found ${result.actions.length} actions`);
  }
  return { apps, runs, medianMs: median(runsMs), runsMs };
}
