import type Docker from "dockerode";
import { engineNodeId } from "./engineNode.js";
import { statusCodeOf, toDockerError } from "./errors.js";
import { failedHealthCheck, healthPending } from "../domain/taskHealth.js";
import type { ProbeOutput } from "../domain/taskHealth.js";
import type { ObservedTask } from "./types.js";

export type { ProbeOutput };

/** Probe output is a command's output: one line of it is enough to say why, and keeps tables readable. */
export const PROBE_OUTPUT_MAX = 200;

/** Bounds the containers one call inspects: each is a request, and a status of many failing apps needs one each. */
export const MAX_INSPECTED = 50;

/**
 * The last probe output of each given task that is starting or failed its health check, keyed
 * by task ID; other tasks are skipped (so a no-op apply, which never calls this, and a healthy
 * app cost nothing). Requests: one `info` to learn which node this engine is (only when a task
 * qualifies), then one container inspect per local task, at most `MAX_INSPECTED`.
 */
export async function lastProbeOutputs(
  docker: Docker,
  tasks: readonly ObservedTask[],
  hostnames: ReadonlyMap<string, string> = new Map(),
): Promise<Map<string, ProbeOutput>> {
  const wanted = tasks
    .filter((task) => healthPending(task) || failedHealthCheck(task))
    .slice(0, MAX_INSPECTED);
  const outputs = new Map<string, ProbeOutput>();
  if (wanted.length === 0) return outputs;
  const localNode = await engineNodeId(docker);
  await Promise.all(
    wanted.map(async (task) => {
      if (task.nodeId !== undefined && task.nodeId !== localNode) {
        outputs.set(task.id, { kind: "remote", node: hostnames.get(task.nodeId) ?? task.nodeId });
        return;
      }
      outputs.set(task.id, task.containerId ? await probeOf(docker, task.containerId) : { kind: "none" });
    }),
  );
  return outputs;
}

/** One line, bounded: the probe's own output may be a page of HTML or a stack trace. */
export function oneLine(text: string, max = PROBE_OUTPUT_MAX): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

interface RawHealth {
  State?: {
    Health?: { Status?: string; Log?: { ExitCode?: number; Output?: string }[] | null };
  };
}

/** A container's health: Docker's status (`healthy`, `unhealthy`, `starting`) and its last probe. */
export interface ContainerHealth {
  status?: string;
  probe: ProbeOutput;
}

/** Inspects one container of this engine; a container that is gone has no health (`none`). */
export async function containerHealth(docker: Docker, containerId: string): Promise<ContainerHealth> {
  let inspected: RawHealth;
  try {
    inspected = await docker.getContainer(containerId).inspect();
  } catch (err) {
    if (statusCodeOf(err) === 404) return { probe: { kind: "none" } };
    throw toDockerError(err, `cannot inspect container ${containerId.slice(0, 12)}`);
  }
  const health = inspected.State?.Health;
  const last = health?.Log?.at(-1);
  if (!last) return { status: health?.Status, probe: { kind: "none" } };
  const text = oneLine(last.Output ?? "");
  return {
    status: health?.Status,
    probe: {
      kind: "output",
      text: text || `the probe exited with code ${last.ExitCode ?? "?"} and printed nothing`,
    },
  };
}

const probeOf = async (docker: Docker, containerId: string): Promise<ProbeOutput> =>
  (await containerHealth(docker, containerId)).probe;
