/**
 * Credentials must never reach a log line or `/status`. Git URLs may carry them in their userinfo
 * (`https://user:token@host/repo.git`), and git repeats the URL in its error messages, so every
 * URL and every git message is passed through these functions before it is shown.
 */

/** `scheme://userinfo@host/...` → `scheme://***@host/...`; other text is returned as it is. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1***@");
}

/**
 * Redacts the userinfo of every `scheme://...@` URL inside `text`, and every occurrence of the
 * given secrets (empty ones are ignored).
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, "$1***@");
  for (const secret of secrets) {
    if (secret && secret.length > 0) out = out.split(secret).join("***");
  }
  return out;
}
