import type { AppManifest } from "./schema.js";
import type { FieldProblem } from "./zodIssues.js";

/*
 * The shape of the rules the manifest loader runs on each document once its shape is valid. They
 * live here because the loader runs them and `manifest/` imports nothing of ours; the registry
 * (src/rules/registry.ts) lists them with every other rule, and the planner runs the "app" ones
 * on its own input through it.
 */

/**
 * What an "app" rule reads: the fields a document's `spec` (as parsed) and a planned `AppSpec`
 * share, so one check serves the loader and the planner.
 */
export interface AppView {
  readonly persistent: boolean;
  /** Absent in a document that does not set it (the planned form has the default, 1). */
  readonly replicas?: number | undefined;
  readonly node?: string | undefined;
  readonly volumes: readonly { readonly containerPath: string }[];
  readonly ports: readonly { readonly published?: number | undefined; readonly protocol: string }[];
  readonly update?: { readonly order?: string | undefined } | undefined;
  readonly rollback?: { readonly order?: string | undefined } | undefined;
  readonly mode?: string | undefined;
  readonly placement?: object | undefined;
}

interface RuleInfo<Id extends string> {
  /** The rule's name in outputs (`rule` of a rejection) and in the README's table of rules. */
  readonly id: Id;
  /** What the rule guarantees, in one sentence. */
  readonly title: string;
  /** The clause of CONTRACT.md it implements (`§2.2`), or `extension` for one of ours. */
  readonly contract: string;
}

/** A rule on one app, in either form (see AppView); paths start at the document (`spec`, ...). */
export interface AppRule<Id extends string = string> extends RuleInfo<Id> {
  readonly input: "app";
  readonly check: (app: AppView) => readonly FieldProblem[];
}

/** A rule on one document as written, for what the planned form no longer holds (raw text, both of a pair). */
export interface DocumentRule<Id extends string = string> extends RuleInfo<Id> {
  readonly input: "document";
  readonly check: (document: AppManifest) => readonly FieldProblem[];
}

/** What a rule returns when it finds nothing: shared, so a passing check allocates nothing. */
export const NONE: readonly FieldProblem[] = Object.freeze([]);
