import type Docker from "dockerode";

export interface RunningTask {
  ID?: string;
  NodeID?: string;
  Status?: { State?: string };
}

/** The tasks of `service` that Swarm wants running and that run now. */
export async function runningTasks(docker: Docker, service: string): Promise<RunningTask[]> {
  const tasks = (await docker.listTasks({
    filters: JSON.stringify({ service: [service], "desired-state": ["running"] }),
  })) as RunningTask[];
  return tasks.filter((t) => t.Status?.State === "running");
}

/**
 * The running tasks of `service`, read every `everyMs` while an operation runs: `stop()` ends the
 * polling and gives every reading, in order (a test then checks that no reading had two).
 */
export function watchRunningTasks(
  docker: Docker,
  service: string,
  everyMs = 150,
): { stop: () => Promise<RunningTask[][]> } {
  const seen: RunningTask[][] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      seen.push(await runningTasks(docker, service));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return seen;
    },
  };
}
