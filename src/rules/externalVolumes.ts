import type { AppSpec } from "../manifest/types.js";
import { describeNode } from "../domain/pinnedNode.js";
import type { Rejection, StageRule } from "./rule.js";
import { volumePosition } from "./storage.js";

/** The node a persistent app is, or is about to be, pinned to. */
export interface PinnedNode {
  nodeId: string;
  hostname: string;
}

/**
 * The Docker volumes the controller can see: those of the node whose engine it talks to (the
 * engine lists only its own). `nodeId` is absent when it could not tell which node that is.
 */
export interface EngineVolumes {
  nodeId?: string | undefined;
  names: ReadonlySet<string>;
}

export type ExternalVolumeCheck =
  | { kind: "ok" }
  | { kind: "missing"; rejection: Rejection }
  | { kind: "unchecked"; warnings: { app: string; message: string }[] };

const OK: ExternalVolumeCheck = { kind: "ok" };

/**
 * Swarm creates a missing local volume when a task mounts it, empty and without a word: for an
 * imported database that is its data gone. So an external volume must already exist on the app's
 * node. The controller sees only its engine's node: on any other node the plan says it could not
 * check, rather than guess.
 */
export function checkExternalVolumes(
  app: AppSpec,
  node: PinnedNode,
  engine: EngineVolumes,
): ExternalVolumeCheck {
  const external = app.volumes.flatMap((v, index) => (v.kind === "external" ? [{ v, index }] : []));
  if (external.length === 0) return OK;
  const where = describeNode(node);
  if (engine.nodeId !== node.nodeId) {
    return {
      kind: "unchecked",
      warnings: external.map(({ v }) => ({
        app: app.name,
        message:
          `external volume ${v.name} could not be checked: ${app.name} is pinned to node ${where}, and this controller ` +
          `sees only the volumes of the node its Docker engine runs on; if the volume is not on ${node.hostname}, Swarm ` +
          `creates it there empty. Check with \`docker volume ls\` on ${node.hostname}`,
      })),
    };
  }
  const missing = external.find(({ v }) => !engine.names.has(v.name));
  if (missing === undefined) return OK;
  const field = `spec.volumes[${missing.index}].external`;
  return {
    kind: "missing",
    rejection: {
      app: app.name,
      rule: "external-volume-missing",
      message:
        `${field}: the Docker volume ${missing.v.name} does not exist on node ${where}, where ${app.name} is pinned, and ` +
        `Swarm would create it there empty. Find the name with \`docker volume ls\` on ${node.hostname} (a stack's ` +
        `volumes are named STACK_VOLUME) and correct ${field}, or create the volume first`,
      position: volumePosition(app, missing.index, missing.v),
    },
  };
}

/** An external volume is mounted only where it exists: Swarm would create a missing one empty. */
export const EXTERNAL_VOLUME_MISSING = {
  id: "external-volume-missing",
  title: "An external volume must exist on its app's node (Swarm would create it empty)",
  contract: "extension",
  input: "app+volumes",
  check: checkExternalVolumes,
} as const satisfies StageRule;
