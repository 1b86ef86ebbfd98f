import { ANNOTATION } from "../domain/names.js";

/** The controller's own annotations, defined with the contract's other names (src/domain). */
export { ANNOTATION };

export const KNOWN_ANNOTATIONS: readonly string[] = Object.values(ANNOTATION);

/** The values a controller annotation accepts. */
export const ANNOTATION_VALUES: readonly string[] = ["true", "false"];

/** Whether the app sets the controller annotation `name` to "true". */
export function annotationOn(annotations: Readonly<Record<string, string>>, name: string): boolean {
  return Object.hasOwn(annotations, name) && annotations[name] === "true";
}

/** Label prefixes the controller and Docker write themselves; users may not set them. */
export const RESERVED_LABEL_PREFIXES: readonly string[] = ["alacrity.", "com.docker."];
