import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDockerProxy } from "../../test/support/dockerProxy.js";
import { appSet, Workspace } from "../apps.js";
import { alacrityApply, stackDeploy } from "../commands.js";
import { cleanup } from "../swarm.js";

export interface RequestCount {
  apps: number;
  /** Requests a no-op `alacrity apply` made, counted at the Docker socket. */
  alacrity: number;
  alacrityByPath: Record<string, number>;
  /** The same for a no-op `docker stack deploy`, for reference. */
  stackDeploy: number;
}

/** Counts what a whole no-op apply process asks of Docker, through a counting proxy on the socket. */
export async function noopRequests(apps: number): Promise<RequestCount> {
  const ws = new Workspace(appSet("a", apps, 0));
  const proxy = await startDockerProxy({ socketPath: join(tmpdir(), `alacrity-bench-${process.pid}.sock`) });
  const env = { DOCKER_HOST: proxy.dockerHost };
  try {
    await cleanup();
    await alacrityApply(ws.appsDir);
    proxy.reset();
    await alacrityApply(ws.appsDir, [], env);
    const alacrity = [...proxy.requests];
    await cleanup();
    await stackDeploy(ws.composeFile);
    proxy.reset();
    await stackDeploy(ws.composeFile, env);
    const stack = proxy.requests.length;
    const byPath: Record<string, number> = {};
    for (const r of alacrity) byPath[`${r.method} ${r.path}`] = (byPath[`${r.method} ${r.path}`] ?? 0) + 1;
    return { apps, alacrity: alacrity.length, alacrityByPath: byPath, stackDeploy: stack };
  } finally {
    await proxy.close();
    await cleanup();
    ws.dispose();
  }
}
