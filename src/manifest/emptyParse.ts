import type { ParsedManifest } from "./parseManifest.js";

/**
 * A parse result with no documents yet, for results built up or made of errors only. Its own
 * module: the loader uses it without loading the parser (and the YAML and schema libraries).
 */
export function emptyParse(): ParsedManifest {
  return { apps: [], networks: [], secrets: [], configs: [], invalid: [], errors: [] };
}
