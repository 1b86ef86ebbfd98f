import { show } from "../../manifest/format.js";
import type { ComposePath } from "../composeDocument.js";
import { serviceFileRefs } from "./contents.js";
import { deployFields } from "./deploy.js";
import { serviceEnv } from "./environment.js";
import { serviceHealthcheck } from "./healthcheck.js";
import { serviceVolumes } from "./mounts.js";
import { serviceNetworks } from "./networks.js";
import type { Context } from "./options.js";
import { persistentDeploy, pinToDeployment } from "./persistence.js";
import { servicePorts } from "./ports.js";
import { shellWords } from "./shellWords.js";
import { durationAt, mapAt, stringAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * One compose service → one App document, field by field in the order the manifest lists them.
 * Every key is either written, or reported where the compose file wrote it (findings.ts).
 */

function commandAt(value: unknown, path: ComposePath, ctx: Context): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const split = shellWords(value);
    if ("words" in split) return split.words;
    ctx.findings.add("unsupported", path, `cannot be split into words: ${split.error}; it is left out`);
    return undefined;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number"))
    return value.map(String);
  ctx.findings.add(
    "unsupported",
    path,
    `must be a string or a list of strings (got ${show(value)}); it is left out`,
  );
  return undefined;
}

const defined = (fields: Tree): Tree =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

export function convertService(composeName: string, appName: string, ctx: Context): Tree {
  const path: ComposePath = ["services", composeName];
  const service = mapAt((ctx.root.services as Tree)[composeName], path, ctx.findings);
  ctx.findings.checkKeys("service", service, path);
  const image = stringAt(service.image, [...path, "image"], ctx.findings);
  if (image === undefined)
    ctx.findings.add(
      "unsupported",
      path,
      "has no image: AlaCrity deploys images only (build it and push it first); write spec.image by hand",
    );
  const volumes = serviceVolumes(service.volumes, [...path, "volumes"], ctx);
  const persistent = volumes.length > 0;
  const read = deployFields(service, path, ctx.findings);
  const { deploy, node: declaredNode } = persistent
    ? persistentDeploy(read, path, ctx.findings)
    : { deploy: read, node: undefined };
  const node = persistent
    ? pinToDeployment(composeName, declaredNode, path, ctx.options, ctx.findings)
    : undefined;
  const ports = servicePorts(service.ports, [...path, "ports"], ctx.findings);
  const env = serviceEnv(service, path, ctx);
  const metadata = defined({
    name: appName,
    labels: Object.keys(deploy.labels).length > 0 ? deploy.labels : undefined,
  });
  const spec = defined({
    image: image ?? "IMAGE-MISSING",
    persistent: persistent ? true : undefined,
    replicas: deploy.replicas,
    node,
    // The service stack deploy made, which `apply --adopt-stack` takes over (Swarm cannot rename it).
    serviceName: ctx.options.stack === undefined ? undefined : `${ctx.options.stack}_${composeName}`,
    command: commandAt(service.entrypoint, [...path, "entrypoint"], ctx),
    args: commandAt(service.command, [...path, "command"], ctx),
    env: Object.keys(env).length > 0 ? env : undefined,
    ports: ports.length > 0 ? ports : undefined,
    volumes: persistent ? volumes : undefined,
    resources: deploy.resources,
    networks: serviceNetworks(service, path, composeName, ctx),
    endpointMode: deploy.endpointMode,
    secrets: serviceFileRefs("secret", service.secrets, [...path, "secrets"], ctx),
    configs: serviceFileRefs("config", service.configs, [...path, "configs"], ctx),
    healthcheck: serviceHealthcheck(service.healthcheck, [...path, "healthcheck"], ctx.findings),
    update: deploy.update,
    rollback: deploy.rollback,
    restart: deploy.restart,
    stopGracePeriod: durationAt(service.stop_grace_period, [...path, "stop_grace_period"], ctx.findings),
    mode: deploy.mode,
    placement: deploy.placement,
  });
  return { apiVersion: "alacrity.dev/v1", kind: "App", metadata, spec };
}
