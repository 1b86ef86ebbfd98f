import { hostileText } from "../../manifest/hostileText.js";
import { MAX_ALIAS_COUNT, MAX_DEPTH } from "../../manifest/limits.js";
import { libraryMessage } from "../../manifest/libraryMessage.js";
import { isNullDocument, parseYamlDocuments } from "../../manifest/yamlDocuments.js";
import { inspectDocument } from "../../manifest/yamlNodes.js";
import type { ComposeLoadError } from "../composeDocument.js";
import type { ComposeMap } from "./composeNode.js";
import { problemAt } from "./problem.js";
import { ComposeYamlError, yamlToNode } from "./yamlToNode.js";

export type ParsedCompose = { ok: true; root: ComposeMap } | { ok: false; errors: ComposeLoadError[] };

const NOT_COMPOSE = "a compose file";

/**
 * A plain integer written with a leading 0 is octal, as docker/cli's YAML (yaml.v3, which keeps
 * YAML 1.1's octals) reads it: `mode: 0440` is r--r-----, not 440. YAML 1.2's own `0o440` stays.
 */
const LEGACY_OCTAL = {
  identify: (value: unknown) => typeof value === "number",
  default: true,
  tag: "tag:yaml.org,2002:int",
  test: /^0[0-7]+$/,
  resolve: (text: string) => Number.parseInt(text, 8),
};

/**
 * Parses the text of one compose file into its positioned tree; pure. Refuses what is not a
 * compose file: YAML errors, several documents, a top level or a `services` that is not a map,
 * and input built to exhaust the parser or memory (the manifest parser's limits).
 */
export function parseComposeText(text: string, file: string): ParsedCompose {
  const fail = (errors: ComposeLoadError[]): ParsedCompose => ({ ok: false, errors });
  const early = hostileText(text, file, NOT_COMPOSE);
  if (early) return fail([early]);

  const { docs, lineCounter, at, syntaxErrors } = parseYamlDocuments(text, file, NOT_COMPOSE, (tags) => [
    LEGACY_OCTAL,
    ...tags,
  ]);
  const syntax = syntaxErrors.map((error) => problemAt(error, [], error.message));
  if (syntax.length > 0) return fail(syntax);
  const filled = docs.filter((doc) => !isNullDocument(doc));
  if (filled.length > 1) {
    const second = filled[1]!.contents?.range?.[0] ?? 0;
    return fail([
      problemAt(
        at(second),
        [],
        "a compose file holds one YAML document; put the others in files of their own",
      ),
    ]);
  }
  const doc = filled[0];
  if (!doc)
    return fail([problemAt(at(0), [], "the file is empty; a compose file is a map with a services key")]);
  const start = at(doc.contents?.range?.[0] ?? 0);

  const { duplicateKeys, tooDeep } = inspectDocument(doc, MAX_DEPTH);
  if (tooDeep)
    return fail([
      problemAt(start, [], `nesting is deeper than ${MAX_DEPTH} levels; this is not ${NOT_COMPOSE}`),
    ]);
  if (duplicateKeys.length > 0)
    return fail(
      duplicateKeys.map((key) =>
        problemAt(at(key.range?.[0] ?? 0), [], "duplicate key; each key may appear only once in a map"),
      ),
    );
  try {
    // Only to refuse alias bombs before expanding aliases ourselves, with the manifest's limit.
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `too many YAML aliases (more than ${MAX_ALIAS_COUNT}); expanding them would exhaust memory ("billion laughs")`
        : `cannot read the YAML: ${libraryMessage(error instanceof Error ? error.message : String(error))}`;
    return fail([problemAt(start, [], message)]);
  }

  let root;
  try {
    root = yamlToNode(doc, text, lineCounter, file);
  } catch (error) {
    if (error instanceof ComposeYamlError) return fail([problemAt(error.at, [], error.message)]);
    throw error;
  }
  if (root.kind !== "map")
    return fail([
      problemAt(root.at, [], "the top level of a compose file must be a map with a services key"),
    ]);
  const services = root.entries.get("services");
  if (services && services.kind !== "map" && !(services.kind === "scalar" && services.value === null))
    return fail([
      problemAt(services.at, ["services"], "must be a map of service names to their definitions"),
    ]);
  const notMaps =
    services?.kind === "map" ? [...services.entries].filter(([, service]) => service.kind !== "map") : [];
  if (notMaps.length > 0)
    return fail(
      notMaps.map(([name, service]) =>
        problemAt(service.at, ["services", name], "a service must be a map of its keys (image, deploy, …)"),
      ),
    );
  return { ok: true, root };
}
