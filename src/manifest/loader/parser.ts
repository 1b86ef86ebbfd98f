import type { parseManifest } from "../parseManifest.js";

let parserModule: Promise<typeof parseManifest> | undefined;

/**
 * The parser, imported on first use: loading the YAML and schema libraries takes longer than a
 * load served entirely from the caches.
 */
export function parser(): Promise<typeof parseManifest> {
  parserModule ??= import("../parseManifest.js").then((module) => module.parseManifest);
  return parserModule;
}

/**
 * Loads the parser ahead of need, for a long-running process: its first changed manifest then
 * does not wait for the YAML and schema libraries to load and compile.
 */
export function warmParser(): void {
  parser().then(
    // One parse of a small manifest compiles the parser's functions, which loading does not.
    (parse) => void parse(WARM_UP_MANIFEST, "(warm-up)"),
    () => {
      parserModule = undefined;
    },
  );
}

const WARM_UP_MANIFEST = [
  "apiVersion: alacrity.dev/v1",
  "kind: App",
  "metadata: {name: warm-up, labels: {a: b}}",
  "spec:",
  "  image: busybox:1",
  "  env: {A: b}",
  "  ports: [{target: 80}]",
  "",
].join("\n");
