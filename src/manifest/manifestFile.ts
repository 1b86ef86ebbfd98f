/**
 * Which files hold manifests: names ending `.yaml` or `.yml` (CONTRACT §1), in that case only, so
 * `db.YAML` or `db.Yml` is not read, as `kubectl apply -f DIR` does not read them either. The
 * loader, the watcher and the Git checkout all ask this one function, so a file that would trigger
 * a reload is always a file that is loaded. Hidden names (a segment starting with `.`) are the
 * directory walk's business, not the name's.
 */
export function isManifestFile(path: string): boolean {
  return path.endsWith(".yaml") || path.endsWith(".yml");
}
