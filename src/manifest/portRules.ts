import type { FieldProblem } from "./zodIssues.js";
import { NONE, type AppRule } from "./ruleTypes.js";

/** One app publishing one port twice: Swarm would refuse the service. */
export const UNIQUE_PUBLISHED_PORTS: AppRule<"unique-published-ports"> = {
  id: "unique-published-ports",
  title: "No two ports of an app published on one port and protocol",
  contract: "extension",
  input: "app",
  check: ({ ports }) => {
    if (ports.length < 2) return NONE;
    const seen = new Map<string, number>();
    return ports.flatMap((port, i): FieldProblem[] => {
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
  },
};
