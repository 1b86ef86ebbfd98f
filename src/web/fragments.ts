/* Small pieces every section of the page uses. */
import { html, type Fragment, type Html } from "./html.js";

/** `2026-12-03 18:04:05 UTC`: absolute, so a pushed view only changes when something happened. */
export function timeText(iso: string | undefined): Fragment {
  if (!iso) return "-";
  const text = iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
  return html`<time datetime="${iso}">${text}</time>`;
}

export const short = (revision: string | undefined): string => (revision ? revision.slice(0, 12) : "-");

export function badge(text: string, tone: "ok" | "warn" | "bad" | "idle"): Html {
  return html`<span class="badge ${tone}">${text}</span>`;
}

export function stateTone(state: string, attention: boolean): "ok" | "warn" | "bad" | "idle" {
  if (state === "running") return "ok";
  if (state === "maintenance" || state === "stopped") return "idle";
  return attention ? "bad" : "warn";
}
