import boundaries from "eslint-plugin-boundaries";

/**
 * The layers of src/ and what each may import (README, "Architecture"). A folder not listed here
 * may import nothing of ours: a new folder must be given its place in this table.
 * `types` lists the layers it may import types from only (`import type`), `ports` the layers whose
 * port files (PORTS) only it may import.
 */
export const LAYERS = {
  domain: { values: [] },
  manifest: { values: ["domain"] },
  rules: { values: ["domain", "manifest"], types: ["swarm"] },
  reconcile: { values: ["domain", "manifest", "rules"], types: ["swarm"] },
  swarm: { values: ["domain"], types: ["manifest"] },
  execute: { values: ["domain"], types: ["reconcile", "swarm"] },
  content: { values: ["domain", "manifest"], types: ["reconcile", "swarm"] },
  compose: { values: ["domain", "manifest"], types: ["swarm"] },
  maintenance: { values: ["domain", "rules", "reconcile", "swarm"] },
  apply: { values: ["domain", "manifest", "reconcile", "swarm", "execute", "content", "maintenance"] },
  controller: {
    values: ["domain", "manifest", "reconcile", "swarm", "execute", "apply", "content", "maintenance"],
  },
  gitsource: { values: ["domain", "manifest"], types: ["reconcile", "swarm"], ports: ["controller"] },
  http: { values: ["domain"], types: ["controller"] },
  web: { values: ["domain", "reconcile"], types: ["controller", "gitsource", "http", "swarm"] },
  cli: {
    values: [
      "domain",
      "manifest",
      "rules",
      "reconcile",
      "swarm",
      "execute",
      "apply",
      "controller",
      "gitsource",
      "http",
      "web",
      "content",
      "compose",
      "maintenance",
    ],
  },
};

/** Node's built-in modules the pure planner may use: hashing and path arithmetic, no I/O. */
export const PURE_CORE_MODULES = ["crypto", "path"];

const ELEMENTS = Object.keys(LAYERS).map((type) => ({ type, pattern: `src/${type}` }));

/**
 * What a layer offers the layers that may use its ports (`ports` above) and nothing else of it:
 * the controller's retry policy, shared by the Git source's fetch loop.
 */
const PORTS = [{ category: "port", pattern: "src/controller/backoff.ts" }];

const toLayers = (types) => ({ element: { types: { anyOf: types } } });

const policies = Object.entries(LAYERS).flatMap(([type, { values, types = [], ports = [] }]) => [
  // Its own files, anything of ours it may use, and every package.
  { from: { element: { type } }, allow: { to: toLayers([type, ...values]) } },
  { from: { element: { type } }, allow: { to: { module: { origin: ["external", "core"] } } } },
  ...(types.length > 0
    ? [{ from: { element: { type } }, allow: { to: toLayers(types), dependency: { kind: "type" } } }]
    : []),
  ...(ports.length > 0
    ? [{ from: { element: { type } }, allow: { to: { ...toLayers(ports), file: { categories: "port" } } } }]
    : []),
]);

// The planner and its rules are pure: of Node's own modules, no I/O (fs, net, http, child_process, …).
for (const type of ["rules", "reconcile"])
  policies.push(
    { from: { element: { type } }, disallow: { to: { module: { origin: "core" } } } },
    {
      from: { element: { type } },
      allow: {
        to: { module: { origin: "core", source: PURE_CORE_MODULES.flatMap((m) => [m, `node:${m}`]) } },
      },
    },
  );

export const layersConfig = {
  files: ["src/**/*.ts"],
  plugins: { boundaries },
  settings: {
    "boundaries/elements": ELEMENTS,
    "boundaries/files": PORTS,
    "import/resolver": { typescript: { project: "tsconfig.json" } },
  },
  rules: {
    // Packages and Node's modules are checked too (the planner's purity), and so are imports of
    // files outside every layer.
    "boundaries/dependencies": [
      "error",
      { default: "disallow", policies, checkAllOrigins: true, checkUnknownLocals: true },
    ],
    // Every file of src/ belongs to a layer of the table.
    "boundaries/no-unknown-files": "error",
  },
};
