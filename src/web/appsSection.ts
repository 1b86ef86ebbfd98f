import type { AppState } from "../reconcile/verdicts.js";
import { isCalm, type ClusterView } from "./clusterView.js";
import { badge, short, stateTone } from "./fragments.js";
import { html, type Html } from "./html.js";

/* The summary (controller, counts by state, what needs attention) and the apps' table. */

export function summary(view: ClusterView): Html {
  const ready = view.readiness.ready
    ? badge("ready", "ok")
    : html`${badge("not ready", "bad")} <span class="reason">${view.readiness.reason ?? ""}</span>`;
  const counts = Object.entries(view.states)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => html`<li>${badge(state, stateTone(state, !isCalm(state as AppState)))} ${n}</li>`);
  const attention = view.apps.filter((a) => a.attention);
  return html`<section class="summary" aria-label="summary">
    <p>Controller ${ready} · instance <b>${view.instance}</b> · ${view.apps.length} app(s)</p>
    <ul class="counts">
      ${counts}
    </ul>
    ${
      attention.length > 0 &&
      html`<div class="attention-list" role="alert">
        <h2>Needs attention</h2>
        <ul>
          ${attention.map(
            (a) =>
              html`<li>
                <a href="#app-${a.name}">${a.name}</a> ${badge(a.held ? `${a.state}, held` : a.state, "bad")}
                <span class="reason">${a.reason}</span>
              </li>`,
          )}
        </ul>
      </div>`
    }
  </section>`;
}

export function appsSection(view: ClusterView): Html {
  const rows = view.apps.map(
    (a) =>
      html`<tr id="app-${a.name}" class="${a.attention ? "attention" : ""}">
        <td data-label="App"><b>${a.name}</b></td>
        <td data-label="Persistent">${a.persistent ? "yes" : "no"}</td>
        <td data-label="Replicas">${a.running}/${a.desired ?? "global"}</td>
        <td data-label="Health">
          ${a.health ? badge(a.health, a.health === "healthy" ? "ok" : a.health === "starting" ? "warn" : "bad") : "-"}
        </td>
        <td data-label="Node">
          ${a.node ?? "-"}${a.nodeState && a.nodeState !== "ready/active" ? html` <span class="reason">(${a.nodeState})</span>` : ""}
        </td>
        <td data-label="State">
          ${badge(a.held ? `${a.state}, held` : a.state, stateTone(a.state, a.attention))}
        </td>
        <td data-label="Reason" class="reason">${a.reason || "-"}</td>
        <td data-label="Revision" class="nowrap"><code>${short(a.revision)}</code></td>
      </tr>`,
  );
  return html`<section aria-labelledby="apps-h">
    <h2 id="apps-h">Apps</h2>
    ${
      view.apps.length === 0
        ? html`<p class="empty">
            No apps: the manifests directory declares none, and no service of this instance runs.
          </p>`
        : html`<table class="cards">
            <thead>
              <tr>
                <th>App</th>
                <th>Persistent</th>
                <th>Replicas</th>
                <th>Health</th>
                <th>Node</th>
                <th>State</th>
                <th>Reason</th>
                <th>Revision</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </section>`;
}
