import type Docker from "dockerode";
import { sleep, systemClock } from "../domain/clock.js";
import { isLiveTaskState } from "../domain/taskStates.js";
import type { Clock } from "../domain/clock.js";
import { DockerError, toDockerError } from "../swarm/errors.js";
import { updateService } from "../swarm/updateService.js";

const POLL_MS = 250;

interface RawTask {
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string };
}

async function inspect(
  docker: Docker,
  serviceId: string,
): Promise<{ version: number; spec: Docker.ServiceSpec }> {
  const raw = (await docker.getService(serviceId).inspect()) as {
    Version?: { Index?: number };
    Spec?: Docker.ServiceSpec;
  };
  return { version: raw.Version?.Index ?? 0, spec: raw.Spec ?? {} };
}

async function tasksOf(docker: Docker, serviceId: string): Promise<RawTask[]> {
  return (await docker.listTasks({ filters: JSON.stringify({ service: [serviceId] }) })) as RawTask[];
}

/** The service's replica count in its spec (a replicated service's; persistent apps are). */
export async function replicasOf(docker: Docker, serviceId: string): Promise<number> {
  const { spec } = await inspect(docker, serviceId);
  return spec.Mode?.Replicated?.Replicas ?? 0;
}

async function setReplicas(docker: Docker, serviceId: string, replicas: number): Promise<void> {
  const { version, spec } = await inspect(docker, serviceId);
  if (!spec.Mode?.Replicated) {
    throw new DockerError(`service ${spec.Name ?? serviceId} is not a replicated service`, {
      retryable: false,
    });
  }
  if (spec.Mode.Replicated.Replicas === replicas) return;
  await updateService(docker, serviceId, version, {
    ...spec,
    Mode: { ...spec.Mode, Replicated: { ...spec.Mode.Replicated, Replicas: replicas } },
  });
}

/**
 * Scales the service to 0 and waits until none of its containers is left (stopped, not merely
 * told to stop), so that what is copied next is what the app last wrote. A controller that
 * scaled it back in between (one that had not yet seen the maintenance record) is undone.
 */
export async function stopService(
  docker: Docker,
  serviceId: string,
  timeoutMs: number,
  clock: Clock = systemClock,
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  try {
    for (;;) {
      await setReplicas(docker, serviceId, 0);
      // A live task's container may still hold the data open.
      const live = (await tasksOf(docker, serviceId)).filter((t) => isLiveTaskState(t.Status?.State));
      if (live.length === 0 && (await replicasOf(docker, serviceId)) === 0) return;
      if (clock.now() > deadline) {
        throw new DockerError(
          `the app's task did not stop within ${Math.round(timeoutMs / 1000)} s (${live.length} still ${live[0]?.Status?.State ?? "running"})`,
          { retryable: false },
        );
      }
      await sleep(clock, POLL_MS);
    }
  } catch (err) {
    throw err instanceof DockerError ? err : toDockerError(err, "cannot stop the app");
  }
}

/**
 * Scales the service back to `replicas` and waits until that many tasks run; the error says what
 * Swarm reports of the task when they do not within `timeoutMs`.
 */
export async function startService(
  docker: Docker,
  serviceId: string,
  replicas: number,
  timeoutMs: number,
  clock: Clock = systemClock,
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  try {
    await setReplicas(docker, serviceId, replicas);
    for (;;) {
      const tasks = await tasksOf(docker, serviceId);
      const running = tasks.filter((t) => t.DesiredState === "running" && t.Status?.State === "running");
      if (running.length >= replicas) return;
      if (clock.now() > deadline) {
        const failed = tasks.find((t) => t.Status?.Err);
        throw new DockerError(
          `the app was started again but no task runs after ${Math.round(timeoutMs / 1000)} s${failed ? ` (${failed.Status?.Err})` : ""}; see alacrity status`,
          { retryable: false },
        );
      }
      await sleep(clock, POLL_MS);
    }
  } catch (err) {
    throw err instanceof DockerError ? err : toDockerError(err, "cannot start the app again");
  }
}
