import type { ResolvedContent, ResolvedContents } from "../reconcile/types.js";

/**
 * What each resolved source held, as `DesiredState.contentVersions` keeps it: the digest, the
 * external name, or the error, by `secret:NAME` / `config:NAME`. A daemon compares two loads with
 * it to find the apps whose secret changed although no manifest did; no value is in it.
 */
export function contentVersions(contents: ResolvedContents): Map<string, string> {
  const versions = new Map<string, string>();
  for (const [name, content] of contents.secrets) versions.set(`secret:${name}`, version(content));
  for (const [name, content] of contents.configs) versions.set(`config:${name}`, version(content));
  return versions;
}

function version(content: ResolvedContent): string {
  if (!content.ok) return `error:${content.message}`;
  return "external" in content ? `external:${content.external}` : `sha256:${content.sha256}`;
}
