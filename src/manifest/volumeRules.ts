import { show } from "./format.js";
import type { FieldProblem } from "./zodIssues.js";
import { NONE, type AppRule, type DocumentRule } from "./ruleTypes.js";

/** The fields that name where a volume's data is: exactly one per volume. */
const SOURCES = ["name", "hostPath", "external"] as const;

/** A volume is a Docker volume or a host directory; the planned form keeps only one source. */
export const VOLUME_SOURCE: DocumentRule<"volume-source"> = {
  id: "volume-source",
  title: "Each volume has exactly one of name, hostPath and external",
  contract: "extension",
  input: "document",
  check: ({ spec }) =>
    spec.volumes.length === 0
      ? NONE
      : spec.volumes.flatMap((volume, i): FieldProblem[] => {
          const given = SOURCES.filter((field) => volume[field] !== undefined);
          if (given.length > 1) {
            return [
              {
                path: ["spec", "volumes", i],
                message: `a volume has one of name, hostPath and external, not ${given.join(" and ")}; split it into several volumes or keep one`,
              },
            ];
          }
          if (given.length === 0) {
            return [
              {
                path: ["spec", "volumes", i],
                message:
                  "a volume needs name (a Docker volume of this app), hostPath (a host directory) or external (an existing Docker volume); add one of them",
              },
            ];
          }
          return [];
        }),
};

/** Two volumes on one container path: Docker would refuse the task. */
export const UNIQUE_CONTAINER_PATHS: AppRule<"unique-container-paths"> = {
  id: "unique-container-paths",
  title: "No two volumes of an app on one container path",
  contract: "extension",
  input: "app",
  check: ({ volumes }) => {
    if (volumes.length < 2) return NONE;
    const seen = new Map<string, number>();
    return volumes.flatMap((volume, i): FieldProblem[] => {
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
  },
};
