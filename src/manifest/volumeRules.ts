import { show } from "./format.js";
import type { FieldProblem } from "./zodIssues.js";
import { NONE, type AppRule, type DocumentRule } from "./ruleTypes.js";

/** A volume is a Docker volume or a host directory; the planned form keeps only one of the two. */
export const VOLUME_SOURCE: DocumentRule<"volume-source"> = {
  id: "volume-source",
  title: "Each volume has exactly one of name and hostPath",
  contract: "extension",
  input: "document",
  check: ({ spec }) =>
    spec.volumes.length === 0
      ? NONE
      : spec.volumes.flatMap((volume, i): FieldProblem[] => {
          if (volume.name !== undefined && volume.hostPath !== undefined) {
            return [
              {
                path: ["spec", "volumes", i],
                message:
                  "a volume has either name or hostPath, not both; split it into two volumes or remove one",
              },
            ];
          }
          if (volume.name === undefined && volume.hostPath === undefined) {
            return [
              {
                path: ["spec", "volumes", i],
                message:
                  "a volume needs name (a Docker volume) or hostPath (a host directory); add one of them",
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
