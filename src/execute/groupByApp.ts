import type { Action } from "../reconcile/types.js";

/** Groups a plan's actions per app, keeping their order (a pin stays before its create). */
export function groupByApp(actions: readonly Action[]): Map<string, Action[]> {
  const groups = new Map<string, Action[]>();
  for (const action of actions) {
    const group = groups.get(action.app);
    if (group) group.push(action);
    else groups.set(action.app, [action]);
  }
  return groups;
}
