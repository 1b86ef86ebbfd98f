import { posix } from "node:path";
import type { Document, LineCounter } from "yaml";
import { positionOf } from "./appSpec.js";
import type { ConfigManifest, SecretManifest } from "./contentSchema.js";
import { formatPath } from "./format.js";
import type { NetworkManifest } from "./networkSchema.js";
import type {
  ConfigSpec,
  ContentSource,
  DocumentBase,
  NetworkSpec,
  SecretSpec,
  SourcePosition,
} from "./types.js";
import { positionAt } from "./yamlNodes.js";

/*
 * Valid Network, Secret and Config documents as the specs later stages use, with the positions
 * they point at. A `spec.file` is kept relative to the manifest's directory here; the loader,
 * which knows where the manifest lies in the apps directory, resolves it (resolveContentFiles).
 */

type Located = { doc: Document; lineCounter: LineCounter; file: string };

function base(
  metadata: { name: string; labels: Record<string, string> },
  fields: readonly string[],
  { doc, lineCounter, file }: Located,
): DocumentBase {
  const positions: Record<string, SourcePosition> = {};
  for (const path of [["metadata", "name"], ["spec"], ...fields.map((field) => ["spec", field])])
    positions[formatPath(path)] = positionOf(doc, path, lineCounter, file, false);
  return {
    name: metadata.name,
    labels: metadata.labels,
    file,
    source: positionAt(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0, lineCounter, file),
    positions,
  };
}

export function toNetworkSpec(network: NetworkManifest, where: Located): NetworkSpec {
  const { internal, attachable, encrypted, external } = network.spec;
  const fields = ["internal", "attachable", "encrypted", "external"];
  const spec: NetworkSpec = { ...base(network.metadata, fields, where), internal, attachable, encrypted };
  if (external !== false) spec.external = external === true ? network.metadata.name : external;
  return spec;
}

export function toContentSpec(
  content: SecretManifest | ConfigManifest,
  where: Located,
): SecretSpec | ConfigSpec {
  const spec = content.spec as { file?: string; env?: string; external?: string; data?: string };
  const from: ContentSource =
    spec.file !== undefined
      ? { kind: "file", path: posix.normalize(spec.file) }
      : spec.env !== undefined
        ? { kind: "env", variable: spec.env }
        : spec.external !== undefined
          ? { kind: "external", name: spec.external }
          : { kind: "data", data: spec.data ?? "" };
  return { ...base(content.metadata, [from.kind === "env" ? "env" : from.kind], where), from };
}
