import type { ClusterView, NodeView } from "./clusterView.js";
import { badge, stateTone } from "./fragments.js";
import { html, type Html } from "./html.js";

/* Where the data lives: one card per node, with the persistent apps pinned to it. */

function nodeCard(node: NodeView): Html {
  const tone =
    node.condition === "ready/active"
      ? "ok"
      : node.condition === "gone"
        ? "bad"
        : node.unusable
          ? "bad"
          : "warn";
  return html`<li class="node ${node.unusable ? "down" : ""}" data-node="${node.hostname}">
    <h3>${node.hostname} ${node.role === "manager" ? html`<span class="role">manager</span>` : ""}</h3>
    <p>${badge(node.condition === "gone" ? "gone: not in the Swarm" : node.condition, tone)}</p>
    ${
      node.pinned.length > 0
        ? html`<ul class="pinned">
            ${node.pinned.map(
              (p) =>
                html`<li data-app="${p.name}">
                  <b>${p.name}</b>
                  ${badge(p.waiting ? "waiting for this node" : p.state, p.waiting ? "bad" : stateTone(p.state, false))}
                </li>`,
            )}
          </ul>`
        : html`<p class="empty">no persistent app pinned</p>`
    }
    <p class="tasks">${node.statelessTasks} stateless task(s)</p>
  </li>`;
}

export function nodesSection(view: ClusterView): Html {
  return html`<section aria-labelledby="nodes-h">
    <h2 id="nodes-h">Nodes</h2>
    ${
      view.nodes.length === 0
        ? html`<p class="empty">The Swarm has not been read yet.</p>`
        : html`<ul class="nodes">
            ${view.nodes.map(nodeCard)}
          </ul>`
    }
  </section>`;
}
