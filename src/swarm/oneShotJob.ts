import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { sleep, systemClock } from "../domain/clock.js";
import type { Clock } from "../domain/clock.js";
import { LABEL } from "../domain/names.js";
import { isEndedTaskState } from "../domain/taskStates.js";
import { createService } from "./createService.js";
import { DockerError, toDockerError } from "./errors.js";
import { removeJobNetworksOf } from "./jobNetwork.js";
import { serviceLogs } from "./serviceLogs.js";

export type JobKind = "backup" | "restore" | "copy";

export interface JobSpec {
  kind: JobKind;
  /** The app the job works for (label `alacrity.app`, part of the service name). */
  app: string;
  /** The node it must run on. */
  nodeId: string;
  /** The helper image: a POSIX shell with tar (gzip), sha256sum, find, cp and wc (busybox has them). */
  image: string;
  /** A `sh -c` script; values reach it through `env`, never spliced into the script. */
  script: string;
  env: Record<string, string>;
  mounts: Docker.MountSettings[];
  /** Overlay networks to join (a copy's receiving and sending ends). */
  networks?: string[];
  /**
   * `dnsrr`: other jobs on its network reach it by its service name at its task's address (a
   * virtual IP needs IPVS, which not every kernel has).
   */
  endpointMode?: "dnsrr";
  /** Called with the output so far, about once a second while the job runs (its progress). */
  onOutput?: (output: string) => void;
  timeoutMs: number;
  /** Injected for tests; defaults to the system clock. */
  clock?: Clock;
}

export interface JobResult {
  /** The task ended `complete` (exit 0). */
  ok: boolean;
  /** Swarm's state of the task at the end (complete, failed, rejected, ...). */
  state: string;
  /** Swarm's error for a task that did not complete ("task: non-zero exit (1)", a mount error). */
  error: string;
  /** What the script wrote, stdout and stderr. */
  output: string;
}

const POLL_MS = 250;
const OUTPUT_EVERY_MS = 1000;

/** The Swarm service name of a job: unique, and telling in `docker service ls`. */
export const jobServiceName = (kind: JobKind, app: string): string =>
  `alacrity-${kind}--${app}--${randomBytes(3).toString("hex")}`.slice(0, 63);

/**
 * Runs `spec.script` once on `spec.nodeId`, as a Swarm replicated job (one completion, no
 * restart), waits for its task to end and returns its output. The job's service is removed
 * whatever happens, a timeout included; the service is not ours to manage (no
 * `alacrity.managed`), so no planner ever sees it as an app.
 */
export async function runJob(docker: Docker, spec: JobSpec): Promise<JobResult> {
  return (await startJob(docker, spec)).finish();
}

/** A job whose service exists: `finish` waits for its end, reads its output and removes it. */
export interface StartedJob {
  /** Its service name, by which jobs on its network reach it. */
  name: string;
  finish(): Promise<JobResult>;
  /** Removes it without waiting (the other end of a copy failed). */
  remove(): Promise<void>;
}

/** Creates the job's service; for two jobs that run at once, such as both ends of a copy. */
export async function startJob(docker: Docker, spec: JobSpec): Promise<StartedJob> {
  const name = jobServiceName(spec.kind, spec.app);
  let serviceId: string;
  try {
    serviceId = await createService(docker, jobServiceSpec(name, spec));
  } catch (err) {
    throw toDockerError(err, `cannot start the ${spec.kind} job of ${spec.app}`);
  }
  const remove = (): Promise<void> =>
    docker
      .getService(serviceId)
      .remove()
      .then(
        () => undefined,
        () => undefined,
      );
  return {
    name,
    remove,
    finish: async () => {
      try {
        const task = await waitForEnd(docker, serviceId, spec);
        const output = await logsOf(docker, serviceId, task.state === "complete", spec.clock ?? systemClock);
        return { ok: task.state === "complete", state: task.state, error: task.error, output };
      } finally {
        await remove();
      }
    },
  };
}

function jobServiceSpec(name: string, spec: JobSpec): Docker.ServiceSpec {
  return {
    Name: name,
    Labels: { [LABEL.job]: spec.kind, [LABEL.app]: spec.app },
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Command: ["sh", "-c", spec.script],
        Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
        Mounts: spec.mounts,
      },
      RestartPolicy: { Condition: "none", MaxAttempts: 0 },
      Placement: { Constraints: [`node.id==${spec.nodeId}`] },
      ...(spec.networks ? { Networks: spec.networks.map((target) => ({ Target: target })) } : {}),
    },
    ...(spec.endpointMode ? { EndpointSpec: { Mode: spec.endpointMode } } : {}),
    // A replicated job (Docker 20.10, API 1.41): one completion, then the service stays, idle.
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}

interface RawJobTask {
  Status?: { State?: string; Err?: string; Message?: string };
}

async function waitForEnd(
  docker: Docker,
  serviceId: string,
  spec: JobSpec,
): Promise<{ state: string; error: string }> {
  const clock = spec.clock ?? systemClock;
  const deadline = clock.now() + spec.timeoutMs;
  let nextOutput = clock.now() + OUTPUT_EVERY_MS;
  for (;;) {
    if (spec.onOutput && clock.now() >= nextOutput) {
      nextOutput = clock.now() + OUTPUT_EVERY_MS;
      const output = await serviceLogs(docker, serviceId).catch(() => "");
      spec.onOutput(output);
    }
    const tasks = (await docker
      .listTasks({ filters: JSON.stringify({ service: [serviceId] }) })
      .catch(() => [])) as RawJobTask[];
    const ended = tasks.find((t) => isEndedTaskState(t.Status?.State));
    if (ended) return { state: ended.Status?.State ?? "", error: ended.Status?.Err ?? "" };
    if (clock.now() > deadline) {
      const last = tasks[0]?.Status;
      const where = last ? ` (its task is ${last.State ?? "?"}${last.Err ? `: ${last.Err}` : ""})` : "";
      throw new DockerError(
        `the ${spec.kind} job of ${spec.app} did not end within ${Math.round(spec.timeoutMs / 1000)} s${where}`,
        { retryable: false },
      );
    }
    await sleep(clock, POLL_MS);
  }
}

/**
 * The job's output. Swarm's logs may lag the task's end by a moment: a job that completed
 * prints `alacrity-job: done` last, and its logs are read again until that line is there.
 */
async function logsOf(docker: Docker, serviceId: string, completed: boolean, clock: Clock): Promise<string> {
  const deadline = clock.now() + 10_000;
  for (;;) {
    const output = await serviceLogs(docker, serviceId).catch((err: unknown) =>
      err instanceof Error ? `(logs unavailable: ${err.message})` : "",
    );
    if (!completed || output.includes(JOB_DONE) || clock.now() > deadline) return output;
    await sleep(clock, POLL_MS);
  }
}

/** The last line a job's script prints when it succeeded. */
export const JOB_DONE = "alacrity-job: done";

/**
 * Removes the job services of `app` left by a command that was killed before it could (a job
 * still running is stopped: the caller holds the app's maintenance record, so it is the only
 * one working on that data). Returns how many there were.
 */
export async function removeJobsOf(docker: Docker, app: string): Promise<number> {
  try {
    const services = await docker.listServices({
      filters: JSON.stringify({ label: [`${LABEL.job}`, `${LABEL.app}=${app}`] }),
    });
    await Promise.all(services.map((s) => docker.getService(s.ID).remove()));
    await untilTasksGone(
      docker,
      services.map((s) => s.ID),
    );
    await removeJobNetworksOf(docker, app);
    return services.length;
  } catch (err) {
    throw toDockerError(err, `cannot remove the leftover jobs of ${app}`);
  }
}

/**
 * A removed service's containers stop a moment later: waits (up to 60 s) until none of its
 * tasks may still write, so that the next job on the same data is the only one.
 */
async function untilTasksGone(
  docker: Docker,
  serviceIds: string[],
  clock: Clock = systemClock,
): Promise<void> {
  if (serviceIds.length === 0) return;
  const deadline = clock.now() + 60_000;
  for (;;) {
    const tasks = (await docker
      .listTasks({ filters: JSON.stringify({ service: serviceIds }) })
      .catch(() => [])) as RawJobTask[];
    if (tasks.every((t) => isEndedTaskState(t.Status?.State)) || clock.now() > deadline) return;
    await sleep(clock, POLL_MS);
  }
}
