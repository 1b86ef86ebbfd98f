/** Manifest files larger than this are refused before they are parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * YAML aliases a document may expand. Real manifests use a handful; "billion laughs" files use
 * thousands, and the `yaml` package refuses to expand them past this count.
 */
export const MAX_ALIAS_COUNT = 100;

/** Deepest flow (`[`/`{`) nesting accepted; the YAML parser slows down badly on deeper input. */
export const MAX_FLOW_DEPTH = 64;

/** Deepest node nesting accepted in a parsed document (block nesting included). */
export const MAX_NODE_DEPTH = 64;
