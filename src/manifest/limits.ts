/*
 * Limits that keep hostile or absurd input from taking the process down or making it hang.
 * The `yaml` package needs about 25 µs per line or flow item and 100 µs per document on the
 * project's machines, so the line and item limits also keep a parse well under a second.
 * Real manifests are far below every one of them.
 */

/** Manifest files larger than this are refused before they are parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Lines per file (documents separators and comments included). */
export const MAX_LINES = 5_000;

/** `,`-separated items in flow collections (`[a, b]`, `{a: 1}`) per file. */
export const MAX_FLOW_ITEMS = 5_000;

/** YAML documents per file. */
export const MAX_DOCUMENTS = 500;

/**
 * YAML aliases a document may expand. Real manifests use a handful; "billion laughs" files use
 * thousands, and the `yaml` package refuses to expand them past this count.
 */
export const MAX_ALIAS_COUNT = 100;

/** Deepest nesting accepted, in flow (`[`/`{`) or block (indentation) style. */
export const MAX_DEPTH = 64;

/** Errors reported per document; past it, one more says how many were left out. */
export const MAX_ERRORS_PER_DOCUMENT = 20;

/** Errors reported per file, for files full of broken documents. */
export const MAX_ERRORS_PER_FILE = 100;
