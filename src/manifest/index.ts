export { parseManifest } from "./parseManifest.js";
export type { ParsedManifest } from "./parseManifest.js";
export { loadDesiredState, validatePaths } from "./loader/index.js";
export { decodeManifest } from "./decodeManifest.js";
export { manifestJsonSchema } from "./jsonSchema.js";
export { formatError } from "./types.js";
export type * from "./types.js";
