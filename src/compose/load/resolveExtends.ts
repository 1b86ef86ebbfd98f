import { dirname } from "node:path";
import type { SourcePosition } from "../../manifest/types.js";
import type { ComposeLoadError } from "../composeDocument.js";
import { mapNode } from "./composeNode.js";
import type { ComposeMap, ComposeNode } from "./composeNode.js";
import { mergeService } from "./merge.js";
import { problemAt } from "./problem.js";
import { rebaseService } from "./rebasePaths.js";

/** One compose file, read, parsed and interpolated. */
export interface LoadedFile {
  /** Its path on disk (absolute), which identifies it. */
  path: string;
  /** How messages name it. */
  display: string;
  root: ComposeMap;
}

/** Loads the file an `extends.file` names, relative to the file that names it. */
export type LoadExtended = (
  from: LoadedFile,
  file: string,
  at: SourcePosition,
) => Promise<{ ok: true; file: LoadedFile } | { ok: false; errors: ComposeLoadError[] }>;

class ExtendsError extends Error {
  constructor(readonly errors: ComposeLoadError[]) {
    super(errors[0]?.message);
  }
}

interface Link {
  file: LoadedFile;
  name: string;
}

/**
 * The file's tree with each service's `extends` (compose-spec: `extends: name` or
 * `extends: {service, file}`) replaced by the service it extends merged under it, by the rules of
 * merge.ts, recursively; the `extends` key itself is dropped. Values keep the position where they
 * were written, in whichever file; relative paths of a service from another directory are rebased
 * (rebasePaths.ts). A cycle is refused with its chain.
 */
export async function resolveExtends(
  file: LoadedFile,
  loadExtended: LoadExtended,
): Promise<{ ok: true; root: ComposeMap } | { ok: false; errors: ComposeLoadError[] }> {
  const services = file.root.entries.get("services");
  if (services?.kind !== "map") return { ok: true, root: file.root };
  const resolved = new Map<string, ComposeMap>();
  const resolve = async (link: Link, chain: readonly Link[]): Promise<ComposeMap> => {
    const id = idOf(link);
    const done = resolved.get(id);
    if (done) return done;
    const service = serviceIn(link.file, link.name);
    if (!service) throw new Error(`no service ${link.name}`);
    const extendsNode = service.entries.get("extends");
    if (!extendsNode) return service;
    const path = ["services", link.name, "extends"];
    const target = extendsTarget(extendsNode, path);
    let baseFile = link.file;
    if (target.file !== undefined) {
      const loaded = await loadExtended(link.file, target.file, target.fileAt);
      if (!loaded.ok) throw new ExtendsError(loaded.errors);
      baseFile = loaded.file;
    }
    const base: Link = { file: baseFile, name: target.service };
    if (!serviceIn(baseFile, base.name))
      throw new ExtendsError([
        problemAt(
          target.serviceAt,
          path,
          `there is no service ${base.name} in ${baseFile.display} to extend; name one of its services`,
        ),
      ]);
    const cycle = [...chain, link];
    if (cycle.some((step) => idOf(step) === idOf(base)))
      throw new ExtendsError([
        problemAt(
          extendsNode.at,
          path,
          `extends makes a cycle: ${[...cycle, base].map(describe).join(" → ")}; remove one of these extends`,
        ),
      ]);
    const own = mapNode(new Map([...service.entries].filter(([key]) => key !== "extends")), service.at);
    const inherited = rebaseService(
      await resolve(base, cycle),
      dirname(baseFile.path),
      dirname(link.file.path),
    );
    const merged = mergeService(inherited, own, link.name) as ComposeMap;
    resolved.set(id, merged);
    return merged;
  };
  try {
    const entries = new Map<string, ComposeNode>();
    for (const name of services.entries.keys()) entries.set(name, await resolve({ file, name }, []));
    return {
      ok: true,
      root: mapNode(
        new Map([...file.root.entries, ["services", mapNode(entries, services.at)]]),
        file.root.at,
      ),
    };
  } catch (error) {
    if (error instanceof ExtendsError) return { ok: false, errors: error.errors };
    throw error;
  }
}

function idOf(link: Link): string {
  return `${link.file.path}\0${link.name}`;
}

function describe(link: Link): string {
  return `${link.name} (${link.file.display})`;
}

function serviceIn(file: LoadedFile, name: string): ComposeMap | undefined {
  const services = file.root.entries.get("services");
  const service = services?.kind === "map" ? services.entries.get(name) : undefined;
  return service?.kind === "map" ? service : undefined;
}

function extendsTarget(
  node: ComposeNode,
  path: string[],
): { service: string; serviceAt: SourcePosition; file?: string; fileAt: SourcePosition } {
  if (node.kind === "scalar" && typeof node.value === "string" && node.value !== "")
    return { service: node.value, serviceAt: node.at, fileAt: node.at };
  const shape = "write extends: NAME or extends: {service: NAME, file: FILE}";
  if (node.kind !== "map")
    throw new ExtendsError([problemAt(node.at, path, `must name a service; ${shape}`)]);
  for (const [key, value] of node.entries)
    if (key !== "service" && key !== "file")
      throw new ExtendsError([problemAt(value.at, [...path, key], `is not a key of extends; ${shape}`)]);
  const service = node.entries.get("service");
  if (service?.kind !== "scalar" || typeof service.value !== "string" || service.value === "")
    throw new ExtendsError([
      problemAt(service?.at ?? node.at, [...path, "service"], `must name a service; ${shape}`),
    ]);
  const file = node.entries.get("file");
  if (file === undefined) return { service: service.value, serviceAt: service.at, fileAt: node.at };
  if (file.kind !== "scalar" || typeof file.value !== "string" || file.value === "")
    throw new ExtendsError([
      problemAt(file.at, [...path, "file"], `must be the path of a compose file; ${shape}`),
    ]);
  return { service: service.value, serviceAt: service.at, file: file.value, fileAt: file.at };
}
