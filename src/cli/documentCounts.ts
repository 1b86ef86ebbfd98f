import type { DesiredState } from "../manifest/types.js";

/**
 * What `validate` found, as "3 apps, 1 network, 2 secrets": apps always (the count people look
 * for), the other kinds only when the directory declares any, so app-only output is unchanged.
 */
export function documentCounts(
  state: Pick<DesiredState, "apps" | "networks" | "secrets" | "configs">,
): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts = [count(state.apps.size, "app")];
  for (const [size, word] of [
    [state.networks?.size ?? 0, "network"],
    [state.secrets?.size ?? 0, "secret"],
    [state.configs?.size ?? 0, "config"],
  ] as const) {
    if (size > 0) parts.push(count(size, word));
  }
  return parts.join(", ");
}
