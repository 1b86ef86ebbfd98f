/*
 * The manifest loader: the directory reader (../loadDirectory.ts) and the parser
 * (../parseManifest.ts) composed with what makes loading fast — a memory cache by path and stat,
 * one by content across directories, a disk cache between processes, the parser imported on
 * first use and warmed ahead of need. The layers below know nothing of it.
 */
export { loadDesiredState, validatePaths } from "./loadDesiredState.js";
export { warmParser } from "./parser.js";
