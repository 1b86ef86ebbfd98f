import type { AppSpec, DocumentBase, InvalidApp, ManifestError, SourcePosition } from "./types.js";

/** What duplicate names are looked for in: apps and the other kinds of document. */
type Named = Pick<DocumentBase, "name" | "source" | "positions">;

/**
 * Other definitions an error names before it says "and N more". Every definition gets its own
 * error, so listing all the others would make the output grow with the square of their count
 * (4,000 copies of one document: 500 MB); a few are enough to find them.
 */
export const MAX_OTHER_LOCATIONS = 3;

/** An app name is defined once in the whole directory; the loader checks it on every load. */
export const DUPLICATE_APP_NAMES = {
  id: "duplicate-app-name",
  title: "An app name is defined only once (in one document of one file)",
  contract: "§1",
  input: "documents",
  check: (apps: readonly AppSpec[]) => {
    const byName = separateDuplicates(apps);
    const bySwarmName = separateSharedServiceNames(byName.unique);
    return { unique: bySwarmName.unique, duplicates: [...byName.duplicates, ...bySwarmName.duplicates] };
  },
} as const;

/**
 * Apps defined more than once (in two files, or two documents of one file) are all invalid:
 * which one is meant cannot be guessed. Each error names the other definitions.
 */
export function separateDuplicates<T extends Named>(
  apps: readonly T[],
  what = "app",
): {
  unique: T[];
  duplicates: InvalidApp[];
} {
  return splitByKey(
    apps,
    (app) => app.name,
    (name, defs, index) => ({
      ...nameAt(defs[index]!),
      path: "metadata.name",
      message: `${what} ${JSON.stringify(name)} is also defined at ${otherLocations(defs, index)}; ${what} names must be unique, rename or remove one`,
    }),
  );
}

/**
 * Two apps of different names whose Swarm service names are one (`spec.serviceName`): both are
 * invalid, as two definitions of one name are.
 */
function separateSharedServiceNames(apps: readonly AppSpec[]): {
  unique: AppSpec[];
  duplicates: InvalidApp[];
} {
  return splitByKey(
    apps,
    (app) => app.serviceName ?? app.name,
    (name, defs, index) => {
      const app = defs[index]!;
      const path = app.serviceName === undefined ? "metadata.name" : "spec.serviceName";
      return {
        ...(app.positions[path] ?? app.source),
        path,
        message:
          `the Swarm service ${JSON.stringify(name)} is also the service of the app at ${otherLocations(defs, index)}; ` +
          "two apps cannot share one service, change spec.serviceName",
      };
    },
  );
}

/** The items whose key no other item has, and an invalid entry for each of the others. */
function splitByKey<T extends Named>(
  items: readonly T[],
  keyOf: (item: T) => string,
  errorOf: (key: string, defs: readonly T[], index: number) => ManifestError,
): { unique: T[]; duplicates: InvalidApp[] } {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const defs = byKey.get(key);
    if (defs) defs.push(item);
    else byKey.set(key, [item]);
  }
  const unique: T[] = [];
  const duplicates: InvalidApp[] = [];
  for (const [key, defs] of byKey) {
    if (defs.length === 1) {
      unique.push(defs[0]!);
      continue;
    }
    for (const [index, item] of defs.entries())
      duplicates.push({ name: item.name, file: item.source.file, errors: [errorOf(key, defs, index)] });
  }
  return { unique, duplicates };
}

/** The first few definitions other than `defs[self]`, then how many more there are. */
function otherLocations(defs: readonly Named[], self: number): string {
  const shown: string[] = [];
  for (let i = 0; i < defs.length && shown.length < MAX_OTHER_LOCATIONS; i++) {
    if (i === self) continue;
    const at = nameAt(defs[i]!);
    shown.push(`${at.file}:${at.line}:${at.col}`);
  }
  const more = defs.length - 1 - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function nameAt(app: Named): SourcePosition {
  return app.positions["metadata.name"] ?? app.source;
}

export function compareErrors(a: ManifestError, b: ManifestError): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col;
}
