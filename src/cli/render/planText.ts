import { printable } from "../../manifest/format.js";
import { formatError } from "../../manifest/types.js";
import type { ManifestError, SourcePosition } from "../../manifest/types.js";
import { createAttributes } from "../../reconcile/attributes.js";
import type { Action, BusyApp, HeldApp, Plan, Rejection, ResourceAction } from "../../reconcile/types.js";

const where = (p: SourcePosition | undefined): string => (p ? `${p.file}:${p.line}:${p.col}: ` : "");

/** The first line of an action, as `apply` prints it for each action it ran. */
export function actionHeadline(action: Action): string {
  switch (action.kind) {
    case "pin":
      return `@ pin ${action.app} to node ${action.hostname || action.nodeId}${action.replaces ? " (replacing its previous pin)" : ""} (${action.reason})`;
    case "record-storage":
      return `@ record on the pin of ${action.app}: ${describeStorage(action.added) || "its storage (none)"} (${action.reason})`;
    case "create":
      return `+ create ${action.app}${swarmName(action)} (${action.reason})`;
    case "update":
      return `~ update ${action.app}${swarmName(action)} (${action.reason})`;
    case "scale":
      return `^ scale ${action.app} ${action.from} -> ${action.to} (${action.reason})`;
    case "remove":
      return `- remove ${action.app} (${action.reason}; its volumes and pin are kept)`;
    case "hold":
      return `! hold ${action.app}: Swarm rolled back its spec (${action.swarmReason})`;
    case "release-hold":
      return `! release the hold on ${action.app} (${action.reason})`;
  }
}

/** `volume a, b; host path /srv/x` */
function describeStorage(storage: { volumes: readonly string[]; hostPaths: readonly string[] }): string {
  return [
    storage.volumes.length > 0 ? `volume ${storage.volumes.join(", ")}` : "",
    storage.hostPaths.length > 0 ? `host path ${storage.hostPaths.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** ` as service NAME` for an app whose Swarm service is not named for it (`spec.serviceName`). */
const swarmName = (action: { serviceName?: string | undefined }): string =>
  action.serviceName === undefined ? "" : ` as service ${action.serviceName}`;

/** An action as `plan` prints it: its headline, then its attributes or changes. */
export function describeAction(action: Action): string[] {
  const headline = actionHeadline(action);
  switch (action.kind) {
    case "create":
      return [
        headline,
        ...createAttributes(action.fields, action.node).map((a) => `${INDENT}${a.field}: ${a.value}`),
      ];
    case "update":
      return [
        headline,
        ...action.changes.map((c) => `${INDENT}${c.field}: ${c.from} -> ${c.to}`),
        ...(action.changes.length === 0 && action.internalLabels?.length
          ? [`${INDENT}only AlaCrity's own labels: ${action.internalLabels.join(", ")}`]
          : []),
        ...(action.restarts === undefined
          ? []
          : [`${INDENT}restarts: ${action.restarts ? `yes (${action.restartOrder})` : "no"}`]),
        ...(action.backupFirst ? [`${INDENT}backup first: yes (alacrity.dev/backup-before-update)`] : []),
      ];
    default:
      return [headline];
  }
}

/** One line per network, secret or config action; a secret's value is never shown, only that it is new. */
export function describeResourceAction(action: ResourceAction): string {
  switch (action.kind) {
    case "create-network": {
      const n = action.network;
      const options = [n.internal && "internal", n.attachable && "attachable", n.encrypted && "encrypted"]
        .filter(Boolean)
        .join(", ");
      return `+ create network ${n.name}${options ? ` (${options})` : ""} (${action.reason})`;
    }
    case "remove-network":
      return `- remove network ${action.name} (${action.reason})`;
    case "create-content":
      return `+ create ${action.of} ${action.name} for ${action.resource} (${action.reason}${action.of === "secret" ? "; value hidden" : ""})`;
    case "remove-content":
      return `- remove ${action.of} ${action.name} of ${action.resource} (${action.reason})`;
  }
}

/** Attribute and change lines sit under their action line, as in terraform's plan. */
const INDENT = "    ";

/** `! web held: the manifest's spec was rolled back by Swarm (...); change the manifest or retry with ...` */
export function describeHeld(h: HeldApp): string {
  return `! ${h.app} ${h.message}`;
}

/** `= db busy: stopped by \`alacrity backup db\` (...) since ...; that command starts it again ...` */
export function describeBusy(b: BusyApp): string {
  return `= ${b.app} busy: ${b.message}`;
}

export function describeRejection(r: Rejection): string {
  return `! reject ${r.app}: ${where(r.position)}${r.message}`;
}

/** Counts by kind, for the summary line and JSON output. */
export function planSummary(plan: Plan): Record<string, number> {
  const count = (kind: Action["kind"]): number => plan.actions.filter((a) => a.kind === kind).length;
  const resources = [...(plan.setup ?? []), ...(plan.cleanup ?? [])];
  return {
    create: count("create"),
    update: count("update"),
    scale: count("scale"),
    remove: count("remove"),
    pin: count("pin"),
    recordStorage: count("record-storage"),
    // Networks, secrets and configs; a re-created network counts once in each.
    resourceCreate: resources.filter((a) => a.kind.startsWith("create-")).length,
    resourceRemove: resources.filter((a) => a.kind.startsWith("remove-")).length,
    rejected: plan.rejections.length,
    heldBack: plan.heldBack.length,
    held: plan.held?.length ?? 0,
    busy: plan.busy?.length ?? 0,
  };
}

/**
 * A manifest error as the text outputs print it: `FILE:LINE:COL: path: message`, on one line
 * whatever the file name or the value quoted holds.
 */
export function errorLine(error: ManifestError): string {
  return printable(formatError(error));
}

/** The warning line of `plan` and `apply`. */
export function describeWarning(w: Plan["warnings"][number]): string {
  return `warning: ${w.app ? `${w.app}: ` : ""}${w.message}`;
}

/**
 * The human-readable plan, one line per action, change, rejection and warning. Each line is made
 * printable: a label value or file name holding a newline cannot add a line of its own (such as a
 * false "No changes").
 */
export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const action of plan.setup ?? []) lines.push(describeResourceAction(action));
  for (const action of plan.actions) lines.push(...describeAction(action));
  for (const action of plan.cleanup ?? []) lines.push(describeResourceAction(action));
  for (const action of plan.heldBack) lines.push(...describeAction(action).map((l) => `held back: ${l}`));
  for (const rejection of plan.rejections) lines.push(describeRejection(rejection));
  for (const h of plan.held ?? []) lines.push(describeHeld(h));
  for (const b of plan.busy ?? []) lines.push(describeBusy(b));
  for (const warning of plan.warnings) lines.push(describeWarning(warning));
  const s = planSummary(plan);
  lines.push(
    plan.actions.length === 0 &&
      plan.rejections.length === 0 &&
      s.held === 0 &&
      s.resourceCreate === 0 &&
      s.resourceRemove === 0
      ? "No changes: the Swarm matches the manifests."
      : `Plan: ${s.create} to create, ${s.update} to update, ${s.scale} to scale, ${s.remove} to remove, ${s.pin} to pin${s.recordStorage ? `, ${s.recordStorage} storage record(s) to update` : ""}, ${s.rejected} rejected${s.heldBack ? `, ${s.heldBack} held back` : ""}${s.held ? `, ${s.held} held after a rollback` : ""}${s.busy ? `, ${s.busy} busy` : ""}${resourceSummary(s)}.`,
  );
  return lines.map(printable).join("\n");
}

/** "; networks, secrets and configs: 2 to create, 1 to remove" when there are any. */
function resourceSummary(s: Record<string, number>): string {
  const create = s.resourceCreate ?? 0;
  const remove = s.resourceRemove ?? 0;
  if (create === 0 && remove === 0) return "";
  return `; networks, secrets and configs: ${create} to create, ${remove} to remove`;
}

/** The plan as one JSON-ready document (service fields redact their env values when serialised). */
export function planDocument(plan: Plan): object {
  return {
    summary: planSummary(plan),
    setup: plan.setup ?? [],
    actions: plan.actions,
    cleanup: plan.cleanup ?? [],
    heldBack: plan.heldBack,
    held: plan.held ?? [],
    busy: plan.busy ?? [],
    rejections: plan.rejections,
    warnings: plan.warnings,
  };
}
