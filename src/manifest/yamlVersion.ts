import type { Document } from "yaml";

/** A `%YAML` directive that asks for another version than 1.2, by its offset. */
export interface VersionDirective {
  offset: number;
  message: string;
}

const DIRECTIVE = /^%YAML(?:[ \t]+(\S{0,20}))?/gm;

/**
 * `%YAML` directives other than `%YAML 1.2`. The yaml library honours them: under `%YAML 1.1`,
 * `010` becomes 8 and `off` becomes false, so one header line would change the meaning of every
 * value of the file without a word. Refused rather than overridden: a reader of the file who sees
 * the header would expect 1.1's reading, and either choice but an error surprises someone.
 * Directives are the lines outside every document's range (a `%` line inside one is content).
 */
export function unsupportedVersionDirectives(text: string, docs: readonly Document[]): VersionDirective[] {
  if (!text.includes("%YAML")) return [];
  const found: VersionDirective[] = [];
  for (const match of text.matchAll(DIRECTIVE)) {
    const offset = match.index;
    const version = match[1] ?? "";
    if (version === "1.2") continue;
    if (docs.some(({ range }) => range !== undefined && range[0] <= offset && offset < range[2])) continue;
    found.push({
      offset,
      message:
        `%YAML ${version} is not supported: manifests are YAML 1.2 (where 010 is 10 and off is a string); ` +
        `remove the directive`,
    });
  }
  return found;
}
