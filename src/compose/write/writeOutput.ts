import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Writing the output directory: every file is checked before any is written, so an import that
 * would overwrite something writes nothing (unless `--force`); each file is written to a temporary
 * name and renamed, so a watching controller never reads half a manifest.
 */

export interface WriteResult {
  written: string[];
  /** Files that exist already, without `force`: then nothing was written. */
  refused: string[];
}

export function writeOutput(
  outDir: string,
  files: readonly { name: string; text: string }[],
  force: boolean,
): WriteResult {
  const existing = files.map((f) => join(outDir, f.name)).filter((path) => existsSync(path));
  if (existing.length > 0 && !force) return { written: [], refused: existing };
  mkdirSync(outDir, { recursive: true });
  const written = files.map((file) => {
    const path = join(outDir, file.name);
    const temporary = join(outDir, `.${file.name}.${process.pid}.tmp`);
    writeFileSync(temporary, file.text, { mode: 0o600 });
    renameSync(temporary, path);
    return path;
  });
  return { written, refused: [] };
}
