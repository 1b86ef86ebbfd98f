/**
 * Credentials must never reach a log line, `/status` or a `/metrics` label. Git URLs may carry
 * them in their userinfo (`https://user:token@host/repo.git`, where a password may itself hold
 * `@`) and in their query string (`?private_token=...`, GitLab's form), and git repeats the URL in
 * its error messages, so every URL and every git message is passed through these functions
 * before it is shown.
 */

const HIDDEN = "***";

/** `scheme://` at the start of a URL. */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The URL with its userinfo replaced by `***`, every query parameter's value by `***` and any
 * fragment dropped to `#***`; a URL without them (and scp-like `git@host:repo`, a path) is
 * returned as it is. Parsed by the WHATWG URL parser, as curl does: the userinfo ends at the LAST
 * `@` of the authority, so `https://user:p@ss@host/` hides all of `user:p@ss`.
 */
export function redactUrl(url: string): string {
  if (!SCHEME.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL git could use either, but it may still hold a password (one with a "/" in it):
    // everything up to the last "@" is hidden.
    return redactQueries(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)\S*@/i, `$1${HIDDEN}@`));
  }
  if (parsed.username === "" && parsed.password === "" && parsed.search === "" && parsed.hash === "") {
    return url;
  }
  const userinfo = parsed.username !== "" || parsed.password !== "" ? `${HIDDEN}@` : "";
  const query = parsed.search === "" ? "" : `?${redactQuery(parsed.search.slice(1))}`;
  const fragment = parsed.hash === "" ? "" : `#${HIDDEN}`;
  return `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${query}${fragment}`;
}

/**
 * Redacts the userinfo and query values of every `scheme://` URL inside `text` (git's messages
 * quote the URL), and every occurrence of the given secrets (empty ones are ignored).
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Greedy up to the last "@" before the authority ends (/ ? # or the end of the quoted URL).
  let out = redactQueries(text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s'"]*@/gi, `$1${HIDDEN}@`));
  for (const secret of secrets) {
    if (secret && secret.length > 0) out = out.split(secret).join(HIDDEN);
  }
  return out;
}

/**
 * The parts of a Git URL that are credentials, in the forms git may echo them (as written and
 * percent-decoded), for `redactText`'s secrets: a message that quotes the URL in a form the
 * patterns above do not recognise is still redacted. A user name alone is a credential only when
 * it looks like a token (`https://TOKEN@host`); `git@host` is not.
 */
export function urlSecrets(url: string): string[] {
  if (!SCHEME.test(url)) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/(\S*)@/i.exec(url)?.[1];
    return userinfo ? [userinfo] : [];
  }
  const raw: string[] = [];
  if (parsed.password !== "") raw.push(parsed.password);
  else if (parsed.username.length >= 16) raw.push(parsed.username);
  for (const part of parsed.search.slice(1).split("&")) {
    const value = part.slice(part.indexOf("=") + 1);
    if (value.length >= 8) raw.push(value);
  }
  const forms = raw.flatMap((secret) => [secret, decoded(secret)]);
  // Longest first, so a secret that contains another is hidden whole.
  return [...new Set(forms)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `?a=1&b` in every URL of `text` → `?a=***&b=***`. */
function redactQueries(text: string): string {
  return text.replace(
    /(\b[a-z][a-z0-9+.-]*:\/\/[^\s'"?#]*\?)([^\s'"#]*)/gi,
    (_, head: string, query: string) => `${head}${redactQuery(query)}`,
  );
}

function redactQuery(query: string): string {
  return query
    .split("&")
    .map((param) => {
      if (param === "") return param;
      const eq = param.indexOf("=");
      return eq >= 0 ? `${param.slice(0, eq)}=${HIDDEN}` : HIDDEN;
    })
    .join("&");
}
