import type { Command } from "commander";
import { loadDesiredState } from "../manifest/loader/index.js";
import { plan } from "../reconcile/plan.js";
import { summarizeStatus } from "../reconcile/status.js";
import { hasHealthcheck } from "../reconcile/verdicts.js";
import type { StatusRow } from "../reconcile/status.js";
import { addAgeKeyFileOption, addDirOptions, addOutputOption, printJson } from "./commonOptions.js";
import type { DirOptions } from "./commonOptions.js";
import { printable } from "../manifest/format.js";
import { renderStatusTable } from "./render/statusTable.js";
import { planInputs } from "./planInputs.js";
import { observeOrExit, openDocker } from "./swarmSession.js";
import { leaseFromLabels, leaseServiceName } from "../swarm/leaseRecord.js";
import type { ObservedState } from "../swarm/types.js";
import { lastProbeOutputs, withEndedHealth } from "../swarm/index.js";
import type { ProbeOutput } from "../swarm/index.js";
import { isManagedBy } from "../reconcile/managed.js";
import type Docker from "dockerode";

interface StatusCommandOptions extends DirOptions {
  output: "text" | "json";
}

/**
 * Reads the Swarm directly (no daemon needed). With `--dir`, apps that are defined but not
 * deployed, rejected or invalid are listed too, with the reason.
 */
export async function statusDocument(options: DirOptions): Promise<StatusDocument> {
  const docker = openDocker();
  const observed = await withOwnTaskHealth(docker, await observeOrExit(docker), options.instance);
  const lease = controllerLease(observed, options.instance);
  const probes = await probesOf(docker, observed, options.instance);
  if (!options.dir) {
    return {
      apps: summarizeStatus(observed, undefined, undefined, { instance: options.instance, probes }),
      lease,
    };
  }
  const desired = await loadDesiredState(options.dir);
  const p = plan(desired, observed, await planInputs(docker, desired, options, options.dir));
  return { apps: summarizeStatus(observed, desired, p, { instance: options.instance, probes }), lease };
}

/** The state with our tasks that a health check stopped read as health failures (`withEndedHealth`). */
async function withOwnTaskHealth(
  docker: Docker,
  observed: ObservedState,
  instance: string,
): Promise<ObservedState> {
  const checked = new Set(
    observed.services.filter((s) => isManagedBy(s, instance) && hasHealthcheck(s)).map((s) => s.id),
  );
  return { ...observed, tasks: await withEndedHealth(docker, observed.tasks, checked) };
}

/**
 * The last probe output of this instance's tasks that are starting or failed their health
 * check: nothing is inspected when every app is healthy.
 */
async function probesOf(
  docker: Docker,
  observed: ObservedState,
  instance: string,
): Promise<Map<string, ProbeOutput>> {
  const ours = new Set(observed.services.filter((s) => isManagedBy(s, instance)).map((s) => s.id));
  const hostnames = new Map(observed.nodes.map((node) => [node.id, node.hostname || node.id]));
  return lastProbeOutputs(
    docker,
    observed.tasks.filter((task) => ours.has(task.serviceId)),
    hostnames,
  );
}

export interface StatusDocument {
  apps: StatusRow[];
  /** Which `alacrity run` holds this instance's lease (read from the same service list). */
  lease: { holder: string; renewed: string; durationSeconds: number } | null;
}

/** The lease of `instance`, from its lease service's labels; null when no daemon ever ran. */
function controllerLease(observed: ObservedState, instance: string): StatusDocument["lease"] {
  const service = observed.services.find((s) => s.name === leaseServiceName(instance));
  if (!service) return null;
  const read = leaseFromLabels(service.fields.labels, service.version);
  if ("error" in read) return null;
  const { holder, renewed, durationSeconds } = read.lease;
  return { holder, renewed, durationSeconds };
}

function leaseLine(lease: StatusDocument["lease"]): string {
  if (!lease) return "Controller: no `alacrity run` has held this instance's lease.";
  if (!lease.holder) return `Controller: lease released (last renewed ${lease.renewed}).`;
  return `Controller: lease held by ${lease.holder} (renewed ${lease.renewed}, lasts ${lease.durationSeconds} s).`;
}

export function registerStatusCommand(program: Command): void {
  const command = program
    .command("status")
    .description(
      "one row per managed app: name, persistent, running/desired replicas, pinned node, volumes, state and reason",
    )
    .addHelpText("after", "\nExamples:\n  alacrity status\n  alacrity status --dir apps --output json");
  addOutputOption(addAgeKeyFileOption(addDirOptions(command, false))).action(
    async (options: StatusCommandOptions) => {
      const document = await statusDocument(options);
      if (options.output === "json") printJson(document);
      else
        process.stdout.write(
          `${renderStatusTable(document.apps)}\n${printable(leaseLine(document.lease))}\n`,
        );
    },
  );
}
