/**
 * How Swarm's last update of a service went, from its `UpdateStatus`, in the words `status` and
 * `apply --wait` use. Shared by both so that the two never disagree about a rollback.
 */
export type UpdateOutcome =
  /** `updating` or `rollback_started`: Swarm is still replacing tasks. */
  | { kind: "in-progress"; rollingBack: boolean; reason?: string }
  /** `rollback_completed`: the service runs the spec it had before the update. */
  | { kind: "rolled-back"; reason?: string }
  /** `paused` or `rollback_paused`: Swarm stopped half-way and waits for someone. */
  | { kind: "paused"; reason?: string }
  /** `completed`, or no update on record. */
  | { kind: "done" };

/** Swarm's texts that only repeat the state: no reason to show. */
const STATE_ONLY = new Set(["rollback completed", "update completed", "update in progress", ""]);

/** Swarm's message when it says more than the state (after `rollback_completed` it says only that). */
export function swarmReason(message: string | undefined): string | undefined {
  const text = (message ?? "").trim();
  return STATE_ONLY.has(text) ? undefined : text;
}

export function updateOutcome(status: { state: string; message: string } | undefined): UpdateOutcome {
  if (!status) return { kind: "done" };
  const reason = swarmReason(status.message);
  const withReason = <T extends object>(outcome: T): T & { reason?: string } =>
    reason === undefined ? outcome : { ...outcome, reason };
  switch (status.state) {
    case "updating":
      return withReason({ kind: "in-progress", rollingBack: false } as const);
    case "rollback_started":
      return withReason({ kind: "in-progress", rollingBack: true } as const);
    case "rollback_completed":
      return withReason({ kind: "rolled-back" } as const);
    case "paused":
    case "rollback_paused":
      return withReason({ kind: "paused" } as const);
    default:
      return { kind: "done" };
  }
}
