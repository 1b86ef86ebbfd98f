import { show } from "./format.js";
import { formatMemory, MIN_MEMORY_LIMIT, memoryBytes } from "./resources.js";
import type { AppManifest } from "./schema.js";
import type { FieldProblem } from "./zodIssues.js";

/*
 * Rules across fields, checked once the shape is valid (CONTRACT.md §2). Each returns the
 * problems it finds; none throws.
 */

type Rule = (app: AppManifest) => FieldProblem[];

const persistentReplicas: Rule = ({ spec }) =>
  spec.persistent && spec.replicas > 1
    ? [
        {
          path: ["spec", "replicas"],
          message: `a persistent app cannot have more than 1 replica (got ${spec.replicas}); persistent apps are pinned to one node`,
        },
      ]
    : [];

const volumesNeedPersistence: Rule = ({ spec }) =>
  !spec.persistent && spec.volumes.length > 0
    ? [
        {
          path: ["spec", "volumes"],
          message: "only persistent apps may declare volumes; set spec.persistent: true",
        },
      ]
    : [];

const nodeNeedsPersistence: Rule = ({ spec }) =>
  !spec.persistent && spec.node !== undefined
    ? [
        {
          path: ["spec", "node"],
          message:
            "only persistent apps are pinned to a node; set spec.persistent: true or remove spec.node (Swarm places non-persistent apps freely)",
        },
      ]
    : [];

const volumeSource: Rule = ({ spec }) =>
  spec.volumes.flatMap((volume, i): FieldProblem[] => {
    if (volume.name !== undefined && volume.hostPath !== undefined) {
      return [
        {
          path: ["spec", "volumes", i],
          message: "a volume has either name or hostPath, not both; split it into two volumes or remove one",
        },
      ];
    }
    if (volume.name === undefined && volume.hostPath === undefined) {
      return [
        {
          path: ["spec", "volumes", i],
          message: "a volume needs name (a Docker volume) or hostPath (a host directory); add one of them",
        },
      ];
    }
    return [];
  });

const uniqueContainerPaths: Rule = ({ spec }) => {
  const seen = new Map<string, number>();
  return spec.volumes.flatMap((volume, i): FieldProblem[] => {
    const first = seen.get(volume.containerPath);
    if (first === undefined) {
      seen.set(volume.containerPath, i);
      return [];
    }
    return [
      {
        path: ["spec", "volumes", i, "containerPath"],
        message: `containerPath ${show(volume.containerPath)} is already used by spec.volumes[${first}]; mount each volume at its own path`,
      },
    ];
  });
};

const uniquePublishedPorts: Rule = ({ spec }) => {
  const seen = new Map<string, number>();
  return spec.ports.flatMap((port, i): FieldProblem[] => {
    if (port.published === undefined) return [];
    const key = `${port.published}/${port.protocol}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return [];
    }
    return [
      {
        path: ["spec", "ports", i, "published"],
        message: `port ${key} is already published by spec.ports[${first}]; use another published port`,
      },
    ];
  });
};

const memoryLimitFloor: Rule = ({ spec }) => {
  const limit = spec.resources?.limits?.memory;
  const bytes = limit === undefined ? undefined : memoryBytes(limit);
  return bytes !== undefined && bytes < MIN_MEMORY_LIMIT
    ? [
        {
          path: ["spec", "resources", "limits", "memory"],
          message: `a memory limit must be at least 6M, Docker refuses to start a container with less (got ${show(limit)}); raise it`,
        },
      ]
    : [];
};

/** Docker refuses a container whose reservation is above its limit. */
const reservationsWithinLimits: Rule = ({ spec }) => {
  const limits = spec.resources?.limits;
  const reservations = spec.resources?.reservations;
  const problems: FieldProblem[] = [];
  if (limits?.cpus !== undefined && reservations?.cpus !== undefined && reservations.cpus > limits.cpus) {
    problems.push({
      path: ["spec", "resources", "reservations", "cpus"],
      message: `the CPU reservation (${reservations.cpus}) is above the limit (${limits.cpus}); lower the reservation or raise the limit`,
    });
  }
  const limit = limits?.memory === undefined ? undefined : memoryBytes(limits.memory);
  const reserved = reservations?.memory === undefined ? undefined : memoryBytes(reservations.memory);
  if (limit !== undefined && reserved !== undefined && reserved > limit) {
    problems.push({
      path: ["spec", "resources", "reservations", "memory"],
      message: `the memory reservation (${formatMemory(reserved)}) is above the limit (${formatMemory(limit)}); lower the reservation or raise the limit`,
    });
  }
  return problems;
};

const RULES: readonly Rule[] = [
  persistentReplicas,
  volumesNeedPersistence,
  nodeNeedsPersistence,
  volumeSource,
  uniqueContainerPaths,
  uniquePublishedPorts,
  memoryLimitFloor,
  reservationsWithinLimits,
];

export function checkRules(app: AppManifest): FieldProblem[] {
  return RULES.flatMap((rule) => rule(app));
}
