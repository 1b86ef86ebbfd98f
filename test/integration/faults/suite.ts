import type Docker from "dockerode";
import { runCli, type CliResult } from "../../support/cli.js";
import { spawnDaemon, type DaemonProcess, type SpawnOptions } from "../daemon/daemonProcess.js";

/** Every fault suite runs as this AlaCrity instance and names what it creates with this prefix. */
export const INSTANCE = "t-flt";
export const PREFIX = "t-flt-";
/** Manifests may not carry `alacrity.*` labels: the suite marks its services with this one. */
export const SUITE_LABELS = { labels: { "test-suite": INSTANCE } };

/** Runs a CLI command of this instance against `dir`. */
export function cli(
  command: "plan" | "apply" | "status" | "validate",
  dir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 110_000,
): Promise<CliResult> {
  // validate is offline and knows no instance.
  const target = command === "validate" ? [dir] : ["--dir", dir, "--instance", INSTANCE];
  return runCli([command, ...target, ...extra], { env, timeoutMs });
}

/**
 * `alacrity run` of this instance (the shared spawner's later `--instance` wins), without the
 * lease: a daemon these tests SIGKILL would otherwise hold it until it expires.
 */
export function spawnFaultDaemon(options: SpawnOptions): Promise<DaemonProcess> {
  return spawnDaemon({ ...options, args: ["--instance", INSTANCE, "--no-lease", ...(options.args ?? [])] });
}

/** The services this instance manages, by name. */
export async function managedServices(docker: Docker): Promise<Map<string, Docker.Service>> {
  const list = await docker.listServices({ filters: { label: [`alacrity.instance=${INSTANCE}`] } });
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
