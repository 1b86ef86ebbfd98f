import { commandPlace, dataUse } from "../reconcile/inventory.js";
import type { ClusterView } from "./clusterView.js";
import { html, type Html } from "./html.js";

/* The data inventory of `alacrity data`, with the commands that delete what no app uses. */

export function dataSection(view: ClusterView): Html {
  const data = view.data;
  const entries = data?.entries ?? [];
  const commands = entries.filter((e) => e.deleteCommands?.length);
  return html`<section aria-labelledby="data-h">
    <h2 id="data-h">Data</h2>
    ${
      entries.length === 0
        ? html`<p class="empty">No persistent data recorded.</p>`
        : html`<table class="cards">
            <thead>
              <tr>
                <th>App</th>
                <th>Node</th>
                <th>Data</th>
                <th>State</th>
                <th>Node state</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (e) =>
                  html`<tr class="${e.inUse ? "" : "left"}">
                    <td data-label="App">${e.app}</td>
                    <td data-label="Node">${e.hostname}</td>
                    <td data-label="Data">
                      ${e.kind === "volume" ? "volume" : "host path"} <code>${e.name}</code>
                    </td>
                    <td data-label="State">${dataUse(e)}</td>
                    <td data-label="Node state">${e.nodeState ?? "not in the Swarm"}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${
      (commands.length > 0 || (data?.releases.length ?? 0) > 0) &&
      html`<details class="commands">
        <summary>To delete what no app uses (the data is gone for good)</summary>
        <ul>
          ${commands.map(
            (e) =>
              html`<li>
                ${e.app}: ${e.kind === "volume" ? "volume" : "host path"} <code>${e.name}</code>
                <ul>
                  ${(e.deleteCommands ?? []).map((c) => html`<li>${commandPlace(c)}: <code>${c.command}</code></li>`)}
                </ul>
              </li>`,
          )}
          ${(data?.releases ?? []).map(
            (r) =>
              html`<li>
                ${r.app}: no data left on ${r.hostname}; release its pin ${commandPlace(r.command)}:
                <code>${r.command.command}</code>
              </li>`,
          )}
        </ul>
      </details>`
    }
  </section>`;
}
