// Builds the `alacrity` binary: src/cli/main.ts and everything it imports, packages included,
// bundled by esbuild into dist/cli/main.js, with each command's code in a chunk next to it that
// is loaded only when that command runs. One file per command instead of ~200 modules makes every
// command start about 60 ms sooner (BENCHMARKS.md). Types are checked by `npm run check`, not here.
// Usage: node scripts/bundle-cli.mjs [OUTDIR]   (default dist/cli)
import { cpSync, rmSync } from "node:fs";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";
import { build } from "esbuild";
import { tsImport } from "tsx/esm/api";
import { dockerodeTrim } from "./dockerodeTrim.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = process.argv[2] ?? `${root}dist/cli`;

// The parse cache's fingerprint, from the sources and library versions this bundle is made of:
// the binary then need not hash its own files at every start.
const cache = await tsImport("../src/manifest/loader/fingerprint.ts", import.meta.url);
const manifestDir = `${root}src/manifest`;
const versions = ["yaml", "zod"].map((name) => `${name}@${cache.packageVersion(name, manifestDir) ?? "?"}`);
const fingerprint = cache.fingerprintOf(manifestDir, ".ts", versions);
if (fingerprint === undefined || versions.some((v) => v.endsWith("@?")))
  throw new Error(`cannot fingerprint ${manifestDir} (${versions.join(", ")})`);

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  sourcemap: "linked",
  chunkNames: "[name]-[hash]",
  define: { ALACRITY_PARSE_FINGERPRINT: JSON.stringify(fingerprint) },
  plugins: [dockerodeTrim],
  // Bundled CommonJS packages (commander, pino, prom-client) call `require` for Node's own
  // modules, which an ES module does not have.
  banner: {
    js: 'import { createRequire as __alacrityRequire } from "node:module";\nconst require = __alacrityRequire(import.meta.url);',
  },
  logLevel: "warning",
});
// The web view reads its style and script next to its code (src/web/assets.ts).
cpSync(`${root}src/web/assets`, `${outdir}/assets`, { recursive: true });
