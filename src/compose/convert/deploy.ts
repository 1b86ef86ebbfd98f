import { show } from "../../manifest/format.js";
import { memoryBytes } from "../../manifest/resources.js";
import type { ComposePath } from "../composeDocument.js";
import type { Findings } from "./findings.js";
import { durationAt, keyValuesAt, mapAt, numberAt, stringAt, stringListAt, wholeAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * A service's `deploy` block (and the legacy `restart`), as `docker stack deploy` turns it into a
 * Swarm service spec, in the manifest's words. What only makes sense for a persistent app is
 * decided later (persistence.ts): here every key is read as written.
 */

export interface DeployFields {
  replicas?: number;
  mode?: "global";
  endpointMode?: "vip" | "dnsrr";
  labels: Record<string, string>;
  resources?: Tree;
  placement?: { constraints?: string[]; preferences?: { spread: string }[]; maxReplicasPerNode?: number };
  update?: Tree;
  rollback?: Tree;
  restart?: Tree;
}

const RESERVED = ["com.docker.", "alacrity."];

function labels(value: unknown, path: ComposePath, findings: Findings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value: text, path: at } of keyValuesAt(value, path, findings)) {
    const reserved = RESERVED.find((p) => key.startsWith(p));
    if (reserved !== undefined)
      findings.add(
        "unsupported",
        at,
        `labels starting with "${reserved}" are reserved in AlaCrity; the label is left out`,
      );
    else out[key] = text ?? "";
  }
  return out;
}

function amounts(value: unknown, path: ComposePath, findings: Findings): Tree | undefined {
  const map = mapAt(value, path, findings);
  findings.checkKeys("resourceAmounts", map, path);
  const out: Tree = {};
  const cpus = numberAt(map.cpus, [...path, "cpus"], findings);
  if (cpus !== undefined) out.cpus = cpus;
  if (map.memory !== undefined && map.memory !== null) {
    const memory = typeof map.memory === "number" || typeof map.memory === "string" ? map.memory : undefined;
    // Compose writes "512m" and "1gb" (docker/go-units, powers of 1024): the manifest reads the same.
    if (memory !== undefined && memoryBytes(memory) !== undefined)
      out.memory = typeof memory === "string" ? memory.toUpperCase() : memory;
    else
      findings.add(
        "unsupported",
        [...path, "memory"],
        `${show(map.memory)} is not a memory size; it is left out`,
      );
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function resources(value: unknown, path: ComposePath, findings: Findings): Tree | undefined {
  const map = mapAt(value, path, findings);
  findings.checkKeys("resources", map, path);
  const out: Tree = {};
  for (const [key, field] of [
    ["limits", "limits"],
    ["reservations", "reservations"],
  ] as const) {
    const read = amounts(map[key], [...path, key], findings);
    if (read !== undefined) out[field] = read;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function placement(value: unknown, path: ComposePath, findings: Findings): DeployFields["placement"] {
  const map = mapAt(value, path, findings);
  findings.checkKeys("placement", map, path);
  const out: NonNullable<DeployFields["placement"]> = {};
  const constraints = stringListAt(map.constraints, [...path, "constraints"], findings);
  if (constraints !== undefined && constraints.length > 0) out.constraints = constraints;
  if (Array.isArray(map.preferences)) {
    const preferences = map.preferences.flatMap((p: unknown, i) => {
      const entry = mapAt(p, [...path, "preferences", i], findings);
      const spread = stringAt(entry.spread, [...path, "preferences", i, "spread"], findings);
      return spread === undefined ? [] : [{ spread }];
    });
    if (preferences.length > 0) out.preferences = preferences;
  }
  const max = wholeAt(map.max_replicas_per_node, [...path, "max_replicas_per_node"], findings);
  if (max !== undefined && max > 0) out.maxReplicasPerNode = max;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Fields in compose's words → the manifest's, for the update, rollback and restart policies. */
type FieldReader = [
  compose: string,
  manifest: string,
  read: (value: unknown, path: ComposePath, findings: Findings) => unknown,
];

const text = (value: unknown, path: ComposePath, findings: Findings) => stringAt(value, path, findings);

const UPDATE_FIELDS: FieldReader[] = [
  ["parallelism", "parallelism", wholeAt],
  ["delay", "delay", durationAt],
  ["failure_action", "failureAction", text],
  ["monitor", "monitor", durationAt],
  ["max_failure_ratio", "maxFailureRatio", numberAt],
  ["order", "order", text],
];

const RESTART_FIELDS: FieldReader[] = [
  ["condition", "condition", text],
  ["delay", "delay", durationAt],
  ["max_attempts", "maxAttempts", wholeAt],
  ["window", "window", durationAt],
];

function policy(
  section: "updateConfig" | "restartPolicy",
  value: unknown,
  path: ComposePath,
  findings: Findings,
): Tree | undefined {
  const map = mapAt(value, path, findings);
  findings.checkKeys(section, map, path);
  const out: Tree = {};
  for (const [key, field, read] of section === "updateConfig" ? UPDATE_FIELDS : RESTART_FIELDS) {
    const got = read(map[key], [...path, key], findings);
    if (got !== undefined) out[field] = got;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The legacy `restart:` of a service, as stack deploy reads it when `deploy.restart_policy` is absent. */
function legacyRestart(value: unknown, path: ComposePath, findings: Findings): Tree | undefined {
  const written = stringAt(value, path, findings);
  if (written === undefined) return undefined;
  const [name = "", count] = written.split(":");
  const maxAttempts = count !== undefined && Number(count) > 0 ? { maxAttempts: Number(count) } : {};
  if (name === "no" || name === "") return undefined;
  if (name === "always" || name === "unless-stopped") return { condition: "any", ...maxAttempts };
  if (name === "on-failure") return { condition: "on-failure", ...maxAttempts };
  findings.add(
    "unsupported",
    path,
    `unknown restart policy ${show(written)} (no, always, on-failure, unless-stopped); it is left out`,
  );
  return undefined;
}

export function deployFields(service: Tree, path: ComposePath, findings: Findings): DeployFields {
  const at = [...path, "deploy"];
  const deploy = mapAt(service.deploy, at, findings);
  findings.checkKeys("deploy", deploy, at);
  const out: DeployFields = { labels: labels(deploy.labels, [...at, "labels"], findings) };
  const replicas = wholeAt(deploy.replicas, [...at, "replicas"], findings);
  if (replicas !== undefined) out.replicas = replicas;
  const mode = stringAt(deploy.mode, [...at, "mode"], findings);
  if (mode === "global") out.mode = "global";
  else if (mode !== undefined && mode !== "replicated") {
    findings.add(
      "unsupported",
      [...at, "mode"],
      `mode ${show(mode)} cannot be kept: AlaCrity runs replicated and global services; it is deployed replicated`,
    );
  }
  const endpointMode = stringAt(deploy.endpoint_mode, [...at, "endpoint_mode"], findings)?.toLowerCase();
  if (endpointMode === "vip" || endpointMode === "dnsrr") out.endpointMode = endpointMode;
  else if (endpointMode !== undefined)
    findings.add(
      "unsupported",
      [...at, "endpoint_mode"],
      `must be vip or dnsrr (got ${show(endpointMode)}); it is left out`,
    );
  const read = {
    resources: resources(deploy.resources, [...at, "resources"], findings),
    placement: placement(deploy.placement, [...at, "placement"], findings),
    update:
      deploy.update_config === undefined
        ? undefined
        : policy("updateConfig", deploy.update_config, [...at, "update_config"], findings),
    rollback:
      deploy.rollback_config === undefined
        ? undefined
        : policy("updateConfig", deploy.rollback_config, [...at, "rollback_config"], findings),
    restart:
      deploy.restart_policy !== undefined
        ? policy("restartPolicy", deploy.restart_policy, [...at, "restart_policy"], findings)
        : legacyRestart(service.restart, [...path, "restart"], findings),
  };
  for (const [key, value] of Object.entries(read))
    if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}
