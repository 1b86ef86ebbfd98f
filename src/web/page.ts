import { activitySection } from "./activitySection.js";
import { appsSection, summary } from "./appsSection.js";
import type { ClusterView } from "./clusterView.js";
import { dataSection } from "./dataSection.js";
import { timeText } from "./fragments.js";
import { html, type Html } from "./html.js";
import { nodesSection } from "./nodesSection.js";

/*
 * The page, rendered on the server from a `ClusterView`: every string in it went through `html`
 * and is escaped. `renderView` is the part that changes (the script swaps it in as the server
 * pushes it); `renderPage` wraps it in the document.
 */

export interface PageAssets {
  css: string;
  js: string;
}

/** The part of the page that changes: what the server pushes to the script. */
export function renderView(view: ClusterView): Html {
  return html`${summary(view)}${appsSection(view)}${nodesSection(view)}${dataSection(view)}${activitySection(view)}`;
}

/**
 * The whole document; without JavaScript it reloads itself every few seconds. The style and the
 * script go in byte for byte: the Content-Security-Policy allows them by their hash.
 */
export function renderPage(view: ClusterView, assets: PageAssets): string {
  const head = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>AlaCrity: ${view.instance}</title>
<noscript><meta http-equiv="refresh" content="5"></noscript>
`;
  const body = html`</head>
<body>
<header>
  <h1>AlaCrity</h1>
  <p class="meta">read-only view · rendered ${timeText(view.generatedAt)} · <span id="live" class="live">updates every 5 s</span></p>
</header>
<main id="view">${renderView(view)}</main>
`;
  return `${head.text}<style>${assets.css}</style>\n${body.text}<script>${assets.js}</script>\n</body>\n</html>\n`;
}
