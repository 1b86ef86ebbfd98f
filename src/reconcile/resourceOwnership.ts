import { LABEL } from "../domain/names.js";
import { DEFAULT_INSTANCE } from "../rules/ownership.js";

/**
 * True when a network, secret or config was made by this instance for a document: only those are
 * ever re-created or removed. The resource label sets them apart from the pin records (configs
 * too) and from anything a user labelled managed by hand.
 */
export function ownsResource(labels: Record<string, string>, instance: string): boolean {
  return (
    labels[LABEL.managed] === "true" &&
    (labels[LABEL.instance] ?? DEFAULT_INSTANCE) === instance &&
    labels[LABEL.resource] !== undefined
  );
}

/** The labels of a resource this instance creates for the document `resource`. */
export function resourceLabels(resource: string, instance: string): Record<string, string> {
  return { [LABEL.managed]: "true", [LABEL.instance]: instance, [LABEL.resource]: resource };
}
