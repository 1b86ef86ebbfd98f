import { printable } from "../../manifest/format.js";
import { formatError } from "../../manifest/types.js";
import type { ManifestError, SourcePosition } from "../../manifest/types.js";
import { createAttributes } from "../../reconcile/attributes.js";
import type { Action, Plan, Rejection } from "../../reconcile/types.js";

const where = (p: SourcePosition | undefined): string => (p ? `${p.file}:${p.line}:${p.col}: ` : "");

export function describeAction(action: Action): string[] {
  switch (action.kind) {
    case "pin":
      return [
        `@ pin ${action.app} to node ${action.hostname || action.nodeId}${action.replaces ? " (replacing its previous pin)" : ""} (${action.reason})`,
      ];
    case "create":
      return [
        `+ create ${action.app} (${action.reason})`,
        ...createAttributes(action.fields, action.node).map((a) => `${INDENT}${a.field}: ${a.value}`),
      ];
    case "update":
      return [
        `~ update ${action.app} (${action.reason})`,
        ...action.changes.map((c) => `${INDENT}${c.field}: ${c.from} -> ${c.to}`),
        ...(action.changes.length === 0 && action.internalLabels?.length
          ? [`${INDENT}only AlaCrity's own labels: ${action.internalLabels.join(", ")}`]
          : []),
        ...(action.restarts === undefined
          ? []
          : [`${INDENT}restarts: ${action.restarts ? `yes (${action.restartOrder})` : "no"}`]),
      ];
    case "scale":
      return [`^ scale ${action.app} ${action.from} -> ${action.to} (${action.reason})`];
    case "remove":
      return [`- remove ${action.app} (${action.reason}; its volumes and pin are kept)`];
  }
}

/** Attribute and change lines sit under their action line, as in terraform's plan. */
const INDENT = "    ";

export function describeRejection(r: Rejection): string {
  return `! reject ${r.app}: ${where(r.position)}${r.message}`;
}

/** Counts by kind, for the summary line and JSON output. */
export function planSummary(plan: Plan): Record<string, number> {
  const count = (kind: Action["kind"]): number => plan.actions.filter((a) => a.kind === kind).length;
  return {
    create: count("create"),
    update: count("update"),
    scale: count("scale"),
    remove: count("remove"),
    pin: count("pin"),
    rejected: plan.rejections.length,
    heldBack: plan.heldBack.length,
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
  for (const action of plan.actions) lines.push(...describeAction(action));
  for (const action of plan.heldBack) lines.push(...describeAction(action).map((l) => `held back: ${l}`));
  for (const rejection of plan.rejections) lines.push(describeRejection(rejection));
  for (const warning of plan.warnings) lines.push(describeWarning(warning));
  const s = planSummary(plan);
  lines.push(
    plan.actions.length === 0 && plan.rejections.length === 0
      ? "No changes: the Swarm matches the manifests."
      : `Plan: ${s.create} to create, ${s.update} to update, ${s.scale} to scale, ${s.remove} to remove, ${s.pin} to pin, ${s.rejected} rejected${s.heldBack ? `, ${s.heldBack} held back` : ""}.`,
  );
  return lines.map(printable).join("\n");
}

/** The plan as one JSON-ready document (service fields redact their env values when serialised). */
export function planDocument(plan: Plan): object {
  return {
    summary: planSummary(plan),
    actions: plan.actions,
    heldBack: plan.heldBack,
    rejections: plan.rejections,
    warnings: plan.warnings,
  };
}
