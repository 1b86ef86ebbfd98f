import type { ParsedManifest } from "../parseManifest.js";
import type { AppSpec, DocumentBase, InvalidApp, ManifestError, SourcePosition } from "../types.js";

/**
 * The result `parseManifest(text, to)` gives, made from the result of `parseManifest(text, from)`:
 * the file name appears in a result only as the `file` of its positions, apps and invalid
 * documents, so a result for the same text found under another name (another Git checkout, a
 * renamed file) is re-labelled rather than parsed again. A `spec.file` is relative to the
 * manifest's own directory until the loader resolves it, so it needs no relabelling. Objects shared in the input (an error
 * listed in `errors` and in its document's `invalid` entry) stay shared.
 */
export function relabel(parsed: ParsedManifest, from: string, to: string): ParsedManifest {
  if (from === to) return parsed;
  const copies = new Map<object, object>();
  const position = <T extends SourcePosition>(p: T): T => {
    let copy = copies.get(p) as T | undefined;
    if (copy === undefined) {
      copy = p.file === from ? { ...p, file: to } : p;
      copies.set(p, copy);
    }
    return copy;
  };
  const document = <T extends DocumentBase>(d: T): T => ({
    ...d,
    ...(d.file === from ? { file: to } : {}),
    source: position(d.source),
    positions: Object.fromEntries(Object.entries(d.positions).map(([path, p]) => [path, position(p)])),
  });
  const app = (a: AppSpec): AppSpec => ({
    ...a,
    ...(a.file === from ? { file: to } : {}),
    source: position(a.source),
    positions: Object.fromEntries(Object.entries(a.positions).map(([path, p]) => [path, position(p)])),
  });
  const invalid = (i: InvalidApp): InvalidApp => ({
    ...i,
    ...(i.file === from ? { file: to } : {}),
    errors: i.errors.map((e: ManifestError) => position(e)),
  });
  return {
    apps: parsed.apps.map(app),
    networks: parsed.networks.map(document),
    secrets: parsed.secrets.map(document),
    configs: parsed.configs.map(document),
    invalid: parsed.invalid.map(invalid),
    errors: parsed.errors.map((e) => position(e)),
  };
}
