import type Docker from "dockerode";
import { systemClock } from "../domain/clock.js";
import { observe } from "../swarm/observe.js";
import { recordLeftBehind, switchPin } from "../swarm/pinRecords.js";
import { describeStorage } from "./backup.js";
import { copyStorage, emptyDestination, probeDestination } from "./copyJobs.js";
import type { CopyResult, NodeRef } from "./copyJobs.js";
import { decideMove } from "./moveDecision.js";
import { repinService } from "./repinService.js";
import { whileStopped } from "./stoppedApp.js";
import type { StoppedOptions } from "./stoppedApp.js";
import { MaintenanceRefusal } from "./target.js";
import type { MaintenanceTarget } from "./target.js";

export interface MoveOptions extends Omit<StoppedOptions, "operation" | "to" | "startsOn"> {
  app: string;
  /** The node to move to: hostname or ID. */
  to: string;
  /** The helper image the copy jobs run. */
  image: string;
  /** How long each copy job may take. */
  timeoutMs: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MoveResult {
  app: string;
  from: NodeRef;
  to: NodeRef;
  /** The verified copy; absent when a rerun found the copy made and the pin switched already. */
  copy?: CopyResult;
  /** What stays on the old node, listed by `alacrity data` as left behind. */
  leftBehind: { volumes: string[]; hostPaths: string[] };
  resumed: boolean;
  /** How long the app was out of service, in milliseconds (0 for a removed app). */
  downtimeMs: number;
  startProblem?: string;
}

/**
 * Moves a persistent app and its data to another node: refused before anything stops when the
 * move cannot be made (see `decideMove`, and the new node's volumes and directories must hold no
 * data); then, the app stopped, its storage is copied and verified, what it leaves on the old
 * node is recorded, the pin is switched in one write and the service placed on the new node, and
 * it is started there. The old node's data is never touched. A copy that fails leaves the pin
 * where it was (the app starts on its old node with its data) and the partial copy is removed;
 * a command killed at any point leaves the maintenance record, and running it again finishes.
 */
export async function moveApp(docker: Docker, options: MoveOptions): Promise<MoveResult> {
  const observed = await observe(docker);
  const decision = decideMove(observed, options.app, options.to);
  const step = options.onStep ?? ((): void => undefined);
  const clock = options.clock ?? systemClock;
  const source = decision.kind === "copy" ? decision.source : decision.target;
  const to = decision.to;
  const from = decision.kind === "copy" ? nodeOf(decision.source) : previousNode(observed, decision);
  const copyOptions = {
    image: options.image,
    timeoutMs: options.timeoutMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  if (decision.kind === "copy" && !decision.resuming) {
    const holding = await probeDestination(docker, source, to, copyOptions);
    if (holding.length > 0) {
      throw new MaintenanceRefusal(
        `${to.hostname} already has data in ${holding.join(", ")}: moving ${options.app} there would mix or overwrite it; remove it there first (it is not the app's, or it is an older copy)`,
      );
    }
    step(`${to.hostname} has room: ${describeStorage(source)} there are empty`);
  }
  let pinned = decision.kind === "finish";
  const began = clock.now();
  const done = await whileStopped(
    docker,
    observed,
    source,
    { ...options, operation: "move", to, startsOn: () => (pinned ? to.hostname : from.hostname) },
    async () => {
      let copy: CopyResult | undefined;
      if (decision.kind === "copy") {
        copy = await copyVerified(docker, source, to, copyOptions, step);
        await recordLeftBehind(docker, source.app, { ...from, storage: source.storage });
        const pin = observed.pins.find((p) => p.app === source.app);
        if (!pin) throw new Error(`the pin record of ${source.app} is gone; nothing was switched`);
        await switchPin(docker, pin.configId, source.app, to);
        pinned = true;
        step(`pinned ${source.app} to ${to.hostname}; ${from.hostname} keeps its data as left behind`);
      }
      if (source.service) await repinService(docker, source.service, from, to);
      return copy;
    },
  );
  return {
    app: source.app,
    from,
    to,
    ...(done.result ? { copy: done.result } : {}),
    leftBehind: { volumes: source.storage.volumes, hostPaths: source.storage.hostPaths },
    resumed: done.resumed,
    downtimeMs: source.service ? clock.now() - began : 0,
    ...(done.startProblem !== undefined ? { startProblem: done.startProblem } : {}),
  };
}

/** The copy, or an error after the partial copy on the new node was emptied again. */
async function copyVerified(
  docker: Docker,
  source: MaintenanceTarget,
  to: NodeRef,
  options: Parameters<typeof copyStorage>[3],
  step: (line: string) => void,
): Promise<CopyResult> {
  try {
    const copy = await copyStorage(docker, source, to, options);
    step(
      `copied ${describeStorage(source)} from ${source.hostname} to ${to.hostname}: ${copy.files} file(s), ${copy.dataBytes} bytes; stream ${copy.bytes} bytes, sha256 ${copy.sha256} on both ends`,
    );
    return copy;
  } catch (err) {
    await emptyDestination(docker, source, to, options).then(
      () => step(`the copy failed; emptied what it had written on ${to.hostname}`),
      (cleanup: unknown) =>
        step(
          `the copy failed, and what it wrote on ${to.hostname} could not be emptied (${cleanup instanceof Error ? cleanup.message : String(cleanup)}); empty it there before moving the app to that node again: a move refuses a node whose volumes or directories hold data`,
        ),
    );
    throw err;
  }
}

const nodeOf = (target: MaintenanceTarget): NodeRef => ({ nodeId: target.nodeId, hostname: target.hostname });

/** On a rerun after the pin switched: the node the move came from, as its left-behind record says. */
function previousNode(
  observed: Awaited<ReturnType<typeof observe>>,
  decision: Extract<ReturnType<typeof decideMove>, { kind: "finish" }>,
): NodeRef {
  const left = (observed.leftBehind ?? []).find(
    (l) => l.app === decision.target.app && l.nodeId !== decision.to.nodeId,
  );
  if (!left) return decision.to;
  const node = observed.nodes.find((n) => n.id === left.nodeId);
  return { nodeId: left.nodeId, hostname: node?.hostname ?? left.hostname };
}
