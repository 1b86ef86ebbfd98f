import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { layersConfig } from "../../../eslint.layers.js";

// Only the layer rule, on source text that is never written to disk: the files named below need
// not exist, only what they import must.
const eslint = new ESLint({
  cwd: new URL("../../..", import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, layersConfig],
});

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return result!.messages.map((m) => `${m.ruleId ?? "parse"}: ${m.message}`);
}

/** Each case: a file, an import its layer may not make, and one it may (the positive control). */
const cases: { file: string; forbidden: string; allowed: string }[] = [
  {
    file: "src/domain/probe.ts",
    forbidden: `import { ANNOTATION } from "../manifest/annotations.js";`,
    allowed: `import { LABEL } from "./names.js";`,
  },
  {
    file: "src/manifest/probe.ts",
    forbidden: `import { plan } from "../reconcile/plan.js";`,
    allowed: `import { LABEL } from "../domain/names.js";`,
  },
  {
    file: "src/reconcile/probe.ts",
    forbidden: `import { readFileSync } from "node:fs";`,
    allowed: `import { createHash } from "node:crypto";`,
  },
  {
    file: "src/reconcile/probe.ts",
    forbidden: `import { spawn } from "node:child_process";`,
    allowed: `import { posix } from "node:path";`,
  },
  {
    file: "src/reconcile/probe.ts",
    forbidden: `import { observe } from "../swarm/observe.js";`,
    allowed: `import type { ObservedState } from "../swarm/types.js";`,
  },
  {
    file: "src/reconcile/probe.ts",
    forbidden: `import { WorkQueue } from "../controller/workQueue.js";`,
    allowed: `import type { AppSpec } from "../manifest/types.js";`,
  },
  {
    file: "src/swarm/probe.ts",
    forbidden: `import type { Action } from "../reconcile/types.js";`,
    allowed: `import { LABEL } from "../domain/names.js";`,
  },
  {
    file: "src/gitsource/probe.ts",
    forbidden: `import type { DaemonDeps } from "../controller/daemon.js";`,
    allowed: `import { backoffDelay } from "../controller/backoff.js";`,
  },
  {
    file: "src/rules/probe.ts",
    forbidden: `import { plan } from "../reconcile/plan.js";`,
    allowed: `import type { AppSpec } from "../manifest/types.js";`,
  },
  {
    file: "src/rules/probe.ts",
    forbidden: `import { readFileSync } from "node:fs";`,
    allowed: `import type { AppSpec } from "../manifest/types.js";`,
  },
  {
    file: "src/execute/probe.ts",
    forbidden: `import { execute } from "../swarm/execute.js";`,
    allowed: `import type { Action } from "../reconcile/types.js";`,
  },
  {
    file: "src/web/probe.ts",
    forbidden: `import { Daemon } from "../controller/daemon.js";`,
    allowed: `import type { RecentAction } from "../controller/recentActions.js";`,
  },
  {
    file: "src/web/probe.ts",
    forbidden: `import { observe } from "../swarm/observe.js";`,
    allowed: `import { inventory } from "../reconcile/inventory.js";`,
  },
  {
    file: "src/http/probe.ts",
    forbidden: `import { Daemon } from "../controller/daemon.js";`,
    allowed: `import type { Daemon } from "../controller/daemon.js";`,
  },
];

describe("the layer walls (eslint.layers.js)", () => {
  it.each(cases)("$file: refuses `$forbidden`, accepts `$allowed`", async ({ file, forbidden, allowed }) => {
    expect(await layerErrors(file, `${allowed}\nexport const probe = 1;\n`)).toEqual([]);
    const errors = await layerErrors(file, `${forbidden}\nexport const probe = 1;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^boundaries\/dependencies: /);
  });

  it("refuses a file in a folder the table does not know, and an import of one", async () => {
    expect(await layerErrors("src/newfolder/probe.ts", `export const probe = 1;\n`)).toEqual([
      expect.stringMatching(/^boundaries\/no-unknown-files: /),
    ]);
    expect(
      await layerErrors(
        "src/cli/probe.ts",
        `import { x } from "../../test/support/cli.js";\nexport const probe = x;\n`,
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: /)]);
  });

  it("lets cli import every layer", async () => {
    const source = ["domain/names", "manifest/types", "reconcile/plan", "swarm/observe", "apply/converge"]
      .concat(["controller/daemon", "gitsource/gitOps", "http/server"])
      .map((path, i) => `import * as m${i} from "../${path}.js";`)
      .join("\n");
    expect(await layerErrors("src/cli/probe.ts", source)).toEqual([]);
  });
});
