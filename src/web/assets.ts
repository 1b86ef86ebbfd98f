import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PageAssets } from "./page.js";

/** The page's own style and script (no CDN, no file from elsewhere), inlined under CSP hashes. */
export interface HashedAssets extends PageAssets {
  /** The Content-Security-Policy that allows exactly this style and this script. */
  csp: string;
}

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/**
 * The policy of every page response: nothing from elsewhere, no inline script or style but these
 * two, no frames, no forms, and the page may only open its own event stream.
 */
export function contentSecurityPolicy(assets: PageAssets): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(assets.js)}`,
    `style-src ${sha256(assets.css)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

let loaded: HashedAssets | undefined;

/**
 * Read once, next to this module: `src/web/assets/` when run from source, `dist/cli/assets/` in
 * the built CLI (scripts/bundle-cli.mjs copies them there).
 */
export function pageAssets(): HashedAssets {
  if (!loaded) {
    const read = (name: string): string => readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");
    const assets = { css: read("page.css"), js: read("page.js") };
    loaded = { ...assets, csp: contentSecurityPolicy(assets) };
  }
  return loaded;
}
