import type Docker from "dockerode";
import { runCli, type CliResult } from "../../support/cli.js";
import { spawnDaemon, type DaemonProcess, type SpawnOptions } from "../daemon/daemonProcess.js";

/** Manifests may not carry `alacrity.*` labels: the suites mark their services with this one. */
export const SUITE_LABELS = { labels: { "test-suite": "t-flt" } };

export interface FaultSuite {
  readonly INSTANCE: string;
  readonly PREFIX: string;
  cli: typeof cliOf extends (i: string) => infer F ? F : never;
  spawnFaultDaemon: (options: SpawnOptions) => Promise<DaemonProcess>;
  managedServices: (docker: Docker) => Promise<Map<string, Docker.Service>>;
}

/**
 * Each fault test file is its own AlaCrity instance `t-flt-<name>` with the name prefix
 * `t-flt-<name>-`: vitest may run files of the integration project side by side with others,
 * and a suite's cleanup or prune must never touch another file's services.
 */
export function faultSuite(name: string): FaultSuite {
  const instance = `t-flt-${name}`;
  return {
    INSTANCE: instance,
    PREFIX: `${instance}-`,
    cli: cliOf(instance),
    spawnFaultDaemon: (options) => spawnFaultDaemon(instance, options),
    managedServices: (docker) => managedServices(docker, instance),
  };
}

/** Runs a CLI command of an instance against `dir`. */
function cliOf(instance: string) {
  return (
    command: "plan" | "apply" | "status" | "validate",
    dir: string,
    extra: string[] = [],
    env: NodeJS.ProcessEnv = {},
    timeoutMs = 110_000,
  ): Promise<CliResult> => {
    // validate is offline and knows no instance.
    const target = command === "validate" ? [dir] : ["--dir", dir, "--instance", instance];
    return runCli([command, ...target, ...extra], { env, timeoutMs });
  };
}

/**
 * `alacrity run` of this instance (the shared spawner's later `--instance` wins), without the
 * lease: a daemon these tests SIGKILL would otherwise hold it until it expires.
 */
function spawnFaultDaemon(instance: string, options: SpawnOptions): Promise<DaemonProcess> {
  return spawnDaemon({ ...options, args: ["--instance", instance, "--no-lease", ...(options.args ?? [])] });
}

/** The services an instance manages, by name. */
async function managedServices(docker: Docker, instance: string): Promise<Map<string, Docker.Service>> {
  const list = await docker.listServices({ filters: { label: [`alacrity.instance=${instance}`] } });
  return new Map(list.map((s) => [s.Spec?.Name ?? "", s]));
}

export function envOf(svc: Docker.Service | undefined): string[] {
  return (
    (svc?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)?.ContainerSpec?.Env ?? []
  );
}

export function constraintsOf(svc: Docker.Service | undefined): string[] {
  return svc?.Spec?.TaskTemplate?.Placement?.Constraints ?? [];
}

/** A CLI output must never show a JavaScript stack trace. */
export const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;
