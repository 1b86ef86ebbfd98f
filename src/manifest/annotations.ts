/**
 * The controller's own annotations (the same values as ANNOTATION in src/reconcile/types.ts,
 * repeated here because manifest/ imports nothing of ours; a unit test keeps them equal).
 */
export const KNOWN_ANNOTATIONS: readonly string[] = [
  "alacrity.dev/allow-move",
  "alacrity.dev/allow-drop-persistence",
];

/** Label prefixes the controller and Docker write themselves; users may not set them. */
export const RESERVED_LABEL_PREFIXES: readonly string[] = ["alacrity.", "com.docker."];
