export { resolveContents } from "./resolveContents.js";
export type { ResolveContentsOptions } from "./resolveContents.js";
export { contentValue, HIDDEN } from "./contentValue.js";
export type { HiddenContent } from "./contentValue.js";
export { MAX_CONTENT_BYTES } from "./readContentFile.js";
export { contentVersions } from "./contentVersions.js";
