import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { AppsDir, appYaml, IMAGE } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { cleanupSuite, newDocker, removeNamed, removeVolumes } from "../../support/swarmCleanup.js";

/*
 * Issue 18 on the real Swarm: an app mounts an existing Docker volume by its full name (as
 * `docker stack deploy` names them, `<stack>_<volume>`) and reads the data already in it, on a
 * stack's network named by an external Network document; an app naming a volume that does not
 * exist is rejected, since Swarm would create it empty.
 */

const INSTANCE = "t-ext";
const P = "t-ext-";
const VOLUME = "t-ext_data";
const MISSING = "t-ext_nope";
/** A network as `docker stack deploy` names one: `<stack>_<net>`. */
const STACK_NET = "t-ext_default";
const docker = newDocker();
const dir = new AppsDir("alacrity-ext");
const run = promisify(execFile);
const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE]);

async function cleanup(): Promise<void> {
  await cleanupSuite(docker, INSTANCE, P);
  await removeVolumes(docker, "t-ext_");
  // The stack-named network, once the tasks on it are gone.
  await removeNamed(docker, "t-ext_");
}

const volumeNames = async () => ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name);

beforeAll(async () => {
  await cleanup();
  // The data an imported app must find: written by a one-off container, as a stack's task would.
  await run("docker", ["run", "--rm", "-v", `${VOLUME}:/d`, IMAGE, "sh", "-c", "echo x > /d/f"]);
  await docker.createNetwork({
    Name: STACK_NET,
    Driver: "overlay",
    Labels: { "com.docker.stack.namespace": "t-ext" },
  });
});

afterAll(async () => {
  await cleanup();
  dir.dispose();
});

describe("spec.volumes[].external on a real Swarm", () => {
  it("mounts the existing volume with its data on the stack's network, and rejects an app whose volume does not exist", async () => {
    // The task fails unless the file is there with its content, and logs what it read.
    const reads = [
      "sh",
      "-c",
      'test "$(cat /d/f)" = x || exit 1; echo "read $(cat /d/f) from /d/f"; trap \'exit 0\' TERM; sleep 3600 & wait',
    ];
    // It joins the stack's network too, listed by its document's name.
    const network = stringify({
      apiVersion: "alacrity.dev/v1",
      kind: "Network",
      metadata: { name: `${P}shop` },
      spec: { external: STACK_NET },
    });
    dir.write(
      "reader.yaml",
      `${network}---\n${appYaml(`${P}reader`, {
        persistent: true,
        command: reads,
        volumes: [{ external: VOLUME, containerPath: "/d" }],
        networks: [`${P}shop`],
      })}`,
    );
    dir.write(
      "lost.yaml",
      appYaml(`${P}lost`, { persistent: true, volumes: [{ external: MISSING, containerPath: "/d" }] }),
    );

    const planned = await cli("plan", "--dir", dir.path);
    expect(planned.code, planned.stdout + planned.stderr).toBe(1);
    expect(planned.stdout).toContain(`+ create ${P}reader`);
    expect(planned.stdout).toContain(`volume ${VOLUME} -> /d`);

    const applied = await cli("apply", "--dir", dir.path, "--wait", "--timeout", "60");
    const output = applied.stdout + applied.stderr;
    expect(applied.code, output).toBe(1);
    expect(output).toMatch(
      new RegExp(
        `lost\\.yaml:\\d+:\\d+: .*spec\\.volumes\\[0\\]\\.external: the Docker volume ${MISSING} does not exist on node .*` +
          "Swarm would create it there empty\\. Find the name with `docker volume ls`",
      ),
    );
    // Nothing was made for the rejected app: no service, and above all no empty volume.
    const services = await docker.listServices({ filters: { label: [`alacrity.instance=${INSTANCE}`] } });
    expect(services.map((s) => s.Spec?.Name)).toEqual([`${P}reader`]);
    expect(await volumeNames()).not.toContain(MISSING);

    // Positive control: the other app of the same apply runs on the existing volume and read its file.
    const [reader] = services;
    const mounts = (reader?.Spec?.TaskTemplate as { ContainerSpec?: { Mounts?: unknown[] } }).ContainerSpec
      ?.Mounts;
    expect(mounts).toEqual([expect.objectContaining({ Type: "volume", Source: VOLUME, Target: "/d" })]);
    await eventually(
      async () => {
        // Without `follow`, Docker answers the whole log at once: dockerode gives it as a Buffer.
        const logs = (await docker
          .getService(reader!.ID)
          .logs({ stdout: true, stderr: true })) as unknown as Buffer;
        return logs.toString("utf8").includes("read x from /d/f");
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const [stackNet] = await docker.listNetworks({ filters: { name: [STACK_NET] } });
    const attached = (reader?.Spec?.TaskTemplate as { Networks?: { Target?: string }[] }).Networks;
    expect(attached?.map((n) => n.Target)).toEqual([stackNet?.Id]);

    const status = await cli("status");
    expect(status.stdout).toMatch(
      new RegExp(`${P}reader\\s+yes\\s+1/1\\s+\\S+ \\(ready/active\\)\\s+${VOLUME}\\s`),
    );

    // With the broken app gone, the plan is empty: the mount reads back as it was written.
    dir.remove("lost.yaml");
    const again = await cli("plan", "--dir", dir.path);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });
});
