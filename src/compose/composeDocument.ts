import type { SourcePosition } from "../manifest/types.js";

/*
 * The seam between reading compose files and converting them. The loader (src/compose/load/)
 * reads files the way `docker stack deploy` does — merged in order, interpolated, `extends`
 * resolved — and hands the converter (src/compose/convert/) one plain tree and a way back to
 * where each value was written, so that every key the converter cannot express is reported with
 * its file and line.
 */

/** A key path into the merged tree: `["services", "db", "deploy", "replicas"]`, list items by index. */
export type ComposePath = readonly (string | number)[];

/** The merged, interpolated compose project. */
export interface ComposeDocument {
  /** The files read, in merge order, as the user named them. */
  files: string[];
  /**
   * The merged top-level mapping after interpolation and `extends`: plain JSON values (strings,
   * numbers, booleans, null, arrays, objects). Values are as the YAML wrote them after
   * interpolation (a port may be `"8080:80"` or a mapping); the converter normalises them.
   */
  root: Record<string, unknown>;
  /**
   * Where the value at `path` was written (the file that set it last, for a merged key), or where
   * its nearest written ancestor was when the value itself came from a default.
   */
  locate(path: ComposePath): SourcePosition;
}

/** A problem reading compose files: the import cannot go on (exit 1). */
export interface ComposeLoadError extends SourcePosition {
  message: string;
}

export type ComposeLoadResult =
  | { ok: true; document: ComposeDocument; warnings: ComposeLoadError[] }
  | { ok: false; errors: ComposeLoadError[] };
