export { loadCompose } from "./loadCompose.js";
export type { LoadComposeOptions } from "./loadCompose.js";
