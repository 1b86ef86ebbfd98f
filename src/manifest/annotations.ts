/**
 * The controller's own annotations: the one definition (src/reconcile re-exports it as
 * ANNOTATION). Each takes exactly "true" or "false"; anything else is refused by the schema, so
 * a "yes" is never silently read as "no".
 */
export const ANNOTATION = {
  /** `"true"`: move a pinned persistent app to the node `spec.node` names (its data does not move). */
  allowMove: "alacrity.dev/allow-move",
  /** `"true"`: turn a persistent app into a non-persistent one. */
  allowDropPersistence: "alacrity.dev/allow-drop-persistence",
} as const;

export const KNOWN_ANNOTATIONS: readonly string[] = Object.values(ANNOTATION);

/** The values a controller annotation accepts. */
export const ANNOTATION_VALUES: readonly string[] = ["true", "false"];

/** Whether the app sets the controller annotation `name` to "true". */
export function annotationOn(annotations: Readonly<Record<string, string>>, name: string): boolean {
  return Object.hasOwn(annotations, name) && annotations[name] === "true";
}

/** Label prefixes the controller and Docker write themselves; users may not set them. */
export const RESERVED_LABEL_PREFIXES: readonly string[] = ["alacrity.", "com.docker."];
