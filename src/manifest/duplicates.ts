import type { AppSpec, InvalidApp, ManifestError } from "./types.js";

/**
 * Apps defined more than once (in two files, or two documents of one file) are all invalid:
 * which one is meant cannot be guessed. Each error names the other definitions.
 */
export function separateDuplicates(apps: readonly AppSpec[]): {
  unique: AppSpec[];
  duplicates: InvalidApp[];
} {
  const byName = new Map<string, AppSpec[]>();
  for (const app of apps) byName.set(app.name, [...(byName.get(app.name) ?? []), app]);
  const unique: AppSpec[] = [];
  const duplicates: InvalidApp[] = [];
  for (const [name, defs] of byName) {
    if (defs.length === 1) {
      unique.push(defs[0]!);
      continue;
    }
    for (const app of defs) {
      const here = app.positions["metadata.name"] ?? app.source;
      const others = defs
        .filter((other) => other !== app)
        .map((other) => {
          const at = other.positions["metadata.name"] ?? other.source;
          return `${at.file}:${at.line}:${at.col}`;
        });
      const error: ManifestError = {
        ...here,
        path: "metadata.name",
        message: `app ${JSON.stringify(name)} is also defined at ${others.join(", ")}; app names must be unique, rename or remove one`,
      };
      duplicates.push({ name, file: app.source.file, errors: [error] });
    }
  }
  return { unique, duplicates };
}

export function compareErrors(a: ManifestError, b: ManifestError): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col;
}
