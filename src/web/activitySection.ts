import type { RecentAction } from "../controller/recentActions.js";
import type { ClusterView } from "./clusterView.js";
import { badge, short, timeText } from "./fragments.js";
import { html, type Html } from "./html.js";

/* What the controller did last, and where its manifests come from: Git, the lease. */

function actionRow(a: RecentAction): Html {
  const tone = a.result === "ok" ? "ok" : a.result === "retry" ? "warn" : "bad";
  return html`<tr>
    <td data-label="Time" class="nowrap">${timeText(a.at)}</td>
    <td data-label="Target"><b>${a.target}</b></td>
    <td data-label="Action">
      ${a.action}${a.changed?.length ? html` <span class="reason">(${a.changed.join(", ")})</span>` : ""}
    </td>
    <td data-label="Reason">${a.reason}</td>
    <td data-label="Result" class="nowrap">
      ${badge(a.result, tone)} <span class="reason">${a.durationMs} ms</span>
    </td>
    <td data-label="Error" class="reason">${a.error ?? "-"}</td>
  </tr>`;
}

export function activitySection(view: ClusterView): Html {
  const { git, lease } = view;
  return html`<section aria-labelledby="actions-h">
    <h2 id="actions-h">Recent actions</h2>
    ${
      view.actions.length === 0
        ? html`<p class="empty">No action since this controller started: the Swarm matched the manifests.</p>`
        : html`<table class="cards">
            <thead>
              <tr>
                <th>Time</th>
                <th>Target</th>
                <th>Action</th>
                <th>Reason</th>
                <th>Result</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              ${view.actions.map(actionRow)}
            </tbody>
          </table>`
    }
    <dl class="facts">
      <dt>Last full sync</dt>
      <dd>${timeText(view.lastSync)}</dd>
      ${
        git
          ? html`<dt>Git</dt>
              <dd><code>${git.url}</code> ${git.ref}${git.path ? html` <code>${git.path}</code>` : ""}</dd>
              <dt>Revision</dt>
              <dd>
                <code>${short(git.revision)}</code>, fully applied:
                <code>${short(git.appliedRevision)}</code> ${timeText(git.appliedAt)}
              </dd>
              <dt>Last fetch</dt>
              <dd>
                ${timeText(git.lastFetch)}${git.lastError ? html` <span class="reason bad-text">${git.lastError}</span>` : ""}
              </dd>`
          : html`<dt>Source</dt>
              <dd>a local directory (no Git)</dd>`
      }
      ${
        lease
          ? html`<dt>Lease</dt>
              <dd>
                held by <code>${lease.holder ?? "nobody"}</code>${
                  lease.leader ? " (this controller)" : ` (this controller is ${lease.self}, standing by)`
                },
                renewed ${timeText(lease.renewed)}
              </dd>`
          : html`<dt>Lease</dt>
              <dd>off (one controller)</dd>`
      }
    </dl>
  </section>`;
}
