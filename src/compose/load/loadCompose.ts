import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { readManifestFile } from "../../manifest/readManifestFile.js";
import type { ComposeLoadResult } from "../composeDocument.js";
import { loadProject } from "./loadProject.js";
import type { FileRef, ReadText } from "./loadProject.js";

export interface LoadComposeOptions {
  /** The process environment; it wins over the env file. */
  env: Record<string, string | undefined>;
  /** `--env-file`: read instead of the `.env` next to the first compose file. */
  envFile?: string;
  /** What relative paths are resolved against; the process's working directory by default. */
  cwd?: string;
}

/**
 * Reads compose files the way `docker stack deploy -c a.yml -c b.yml` does, and the variables of
 * `--env-file` or of the `.env` next to the first file. The file-reading edge of the loader: the
 * work is loadProject's.
 */
export function loadCompose(files: string[], options: LoadComposeOptions): Promise<ComposeLoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const refs = files.map((file): FileRef => ({ path: resolve(cwd, file), display: file }));
  return loadProject({ files: refs, env: options.env, ...envFileOf(refs, options.envFile, cwd) }, readText);
}

function envFileOf(files: FileRef[], envFile: string | undefined, cwd: string): { envFile?: FileRef } {
  if (envFile !== undefined) return { envFile: { path: resolve(cwd, envFile), display: envFile } };
  const first = files[0];
  if (!first) return {};
  const path = join(dirname(first.path), ".env");
  // Compose reads a .env only when there is one; an explicit --env-file must exist.
  return isFile(path) ? { envFile: { path, display: join(dirname(first.display), ".env") } } : {};
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads with the manifest reader's guards: a size limit, UTF-8, and no FIFO left blocking. */
const readText: ReadText = async (file) => {
  const read = await readManifestFile(file.path, file.display);
  if ("text" in read) return read;
  const { path: _field, ...error } = read.error;
  return { error };
};
