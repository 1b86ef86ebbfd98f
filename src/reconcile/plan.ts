import type { AppSpec, DesiredState } from "../manifest/types.js";
import type { DefaultedField, ObservedService, ObservedState } from "../swarm/types.js";
import { DEFAULT_NETWORK, LABEL, networkName } from "../domain/names.js";
import type {
  Action,
  ActionReason,
  FieldChange,
  HeldApp,
  Plan,
  PlanOptions,
  PlannedNode,
  PlanWarning,
  Rejection,
} from "./types.js";
import { desiredFields, type PinTarget } from "./desiredFields.js";
import { CONTENT_CHANGED, diffFields, sameFields } from "./diff.js";
import { changesMode, defaultsLeftPending, landDefaults, pendingDefaultsWarning } from "./landingDefaults.js";
import { isManagedBy } from "./managed.js";
import { isDefaultChange } from "./policyDiff.js";
import { whyNodeUnusable } from "./nodes.js";
import { decideHold, holdsByApp, releaseRemovedHolds } from "./holds.js";
import { countPins, decidePin, pinsByApp, withdrawPin } from "./pins.js";
import { planRemovals } from "./prune.js";
import { planResources, resourceView } from "./resourcePlan.js";
import { CONTENT_UNAVAILABLE, NETWORK_UNAVAILABLE } from "../rules/resources.js";
import { unseenHostPathWarnings } from "../rules/hostPaths.js";
import { INVALID_MANIFEST } from "../rules/invalidFiles.js";
import { firstRejection } from "../rules/registry.js";
import { STORAGE_CONFLICT } from "../rules/storage.js";
import { STORAGE_IN_USE } from "../rules/foreignMounts.js";
import { EXTERNAL_VOLUME_MISSING, type EngineVolumes } from "../rules/externalVolumes.js";
import { taskNodesOf, updateDetails } from "./updateDetails.js";

/** Fields whose difference alone means "the placement constraint was lost or changed by hand". */
const PIN_FIELDS = new Set(["constraints", `labels.${LABEL.pinNode}`, `labels.${LABEL.pinHostname}`]);
/** A revision-only difference is not a reason to touch a service (see hash.ts). */
const REVISION_FIELD = `labels.${LABEL.revision}`;

/**
 * Turns the desired state (the manifests) and the observed state (the Swarm) into the actions
 * that converge the one to the other. Pure: no I/O, no clock, no randomness; the same inputs give
 * the same plan. Apps are processed in name order, so pin choices are deterministic.
 *
 * A rejected app gets no action at all (its service, if any, keeps running as it is); the other
 * apps are planned as usual. Actions come in execution order: pins, then creates, updates and
 * scales, then removals.
 */
export function plan(desired: DesiredState, observed: ObservedState, options: PlanOptions): Plan {
  const managed = observed.services.filter((s) => isManagedBy(s, options.instance));
  const serviceByName = new Map(observed.services.map((s) => [s.name, s]));
  const rejections: Rejection[] = [];
  const warnings: PlanWarning[] = [];
  const pinActions: Action[] = [];
  const serviceActions: Action[] = [];

  const invalidNames = new Set<string>();
  for (const invalid of desired.invalid) {
    if (invalid.name === undefined || invalidNames.has(invalid.name)) continue;
    invalidNames.add(invalid.name);
    rejections.push(INVALID_MANIFEST.check(invalid.name, invalid));
  }

  const candidates: AppSpec[] = [];
  const view = resourceView(desired, observed, options);
  for (const app of [...desired.apps.values()].sort((a, b) => compare(a.name, b.name))) {
    if (invalidNames.has(app.name)) continue;
    const rejection =
      firstRejection(app, serviceByName.get(app.name), options) ??
      NETWORK_UNAVAILABLE.check(app, view) ??
      CONTENT_UNAVAILABLE.check(app, view);
    if (rejection) rejections.push(rejection);
    else candidates.push(app);
  }

  const conflicts = STORAGE_CONFLICT.check(candidates, managed);
  const foreign = observed.services.filter((s) => !isManagedBy(s, options.instance));
  for (const [app, rejection] of STORAGE_IN_USE.check(candidates, foreign))
    if (!conflicts.has(app)) conflicts.set(app, rejection);
  const pinCounts = countPins(observed.pins);
  const pins = pinsByApp(observed.pins);
  const warnedHostPaths = new Set<string>();
  const taskNodes = taskNodesOf(observed);
  const holds = holdsByApp(observed.holds, options.instance);
  const held: HeldApp[] = [];
  const planned: AppSpec[] = [];
  const pendingDefaults = new Map<string, DefaultedField[]>();
  let engineVolumes: EngineVolumes | undefined;
  const engineView = (): EngineVolumes => ({
    nodeId: options.engineNodeId,
    names: new Set(observed.volumes.map((v) => v.name)),
  });
  for (const app of candidates) {
    const conflict = conflicts.get(app.name);
    if (conflict) {
      rejections.push(conflict);
      continue;
    }
    if (options.unseenHostPaths) {
      warnings.push(...unseenHostPathWarnings(app, options.unseenHostPaths, warnedHostPaths));
    }
    const service = serviceByName.get(app.name);
    let pin: PinTarget | undefined;
    let node: PlannedNode | undefined;
    let moving = false;
    if (app.persistent) {
      const decision = decidePin(app, observed, pinCounts, pins, service);
      if (decision.kind === "reject") {
        rejections.push(decision.rejection);
        continue;
      }
      if (decision.kind === "stranded") {
        warnings.push(decision.warning);
        continue;
      }
      const volumes = EXTERNAL_VOLUME_MISSING.check(app, decision.pin, (engineVolumes ??= engineView()));
      if (volumes.kind === "missing") {
        withdrawPin(pinCounts, decision);
        rejections.push(volumes.rejection);
        continue;
      }
      if (volumes.kind === "unchecked") warnings.push(...volumes.warnings);
      pin = decision.pin;
      node = { ...decision.pin, why: decision.why };
      if (decision.kind === "new") {
        pinActions.push(decision.action);
        moving = decision.action.reason === "explicit move";
        if (decision.warning) warnings.push(decision.warning);
      }
      const pinned = observed.nodes.find((n) => n.id === pin?.nodeId);
      const why = pinned ? whyNodeUnusable(pinned) : undefined;
      if (why !== undefined) warnings.push({ app: app.name, message: why });
    }
    const fields = desiredFields(app, pin, options, desired.networks);
    const hold = decideHold({
      app: app.name,
      desiredHash: fields.labels[LABEL.hash],
      service,
      tasks: observed.tasks,
      record: holds.get(app.name),
      retry: options.retry?.has(app.name) ?? false,
      instance: options.instance,
    });
    serviceActions.push(...hold.actions);
    if (hold.held) held.push(hold.held);
    const action = hold.held ? undefined : serviceAction(app, fields, service, moving, node, taskNodes);
    if (action) serviceActions.push(action);
    const lacking = service ? defaultsLeftPending(service.fields, fields, action) : [];
    if (lacking.length > 0) pendingDefaults.set(app.name, lacking);
    planned.push(app);
  }
  const defaultsWarning = pendingDefaultsWarning(pendingDefaults);
  if (defaultsWarning) warnings.push(defaultsWarning);

  const created = serviceActions.filter((a) => a.kind === "create").length;
  const prune = planRemovals(desired, managed, options, created);
  warnings.push(...prune.warnings);
  const removed = new Set(prune.actions.map((a) => a.app));
  const releases = releaseRemovedHolds(
    holds,
    (name) =>
      desired.apps.has(name) ||
      invalidNames.has(name) ||
      (managed.some((s) => s.name === name) && !removed.has(name)),
  );
  const actions = [...pinActions, ...serviceActions, ...prune.actions, ...releases];
  const resources = planResources(desired, observed, options, planned, actions, prune.heldBack);
  warnings.push(...resources.warnings);
  return {
    actions,
    rejections,
    warnings,
    heldBack: prune.heldBack,
    ...(held.length > 0 ? { held } : {}),
    // Absent when empty, so a plan without networks, secrets or configs to touch reads as before.
    ...(resources.setup.length > 0 ? { setup: resources.setup } : {}),
    ...(resources.cleanup.length > 0 ? { cleanup: resources.cleanup } : {}),
  };
}

/** The create, update or scale that makes the service match, or none when it already does. */
function serviceAction(
  app: AppSpec,
  fields: ReturnType<typeof desiredFields>,
  service: ObservedService | undefined,
  moving: boolean,
  node: PlannedNode | undefined,
  taskNodes: (serviceId: string) => readonly string[],
): Action | undefined {
  if (!service)
    return { kind: "create", app: app.name, fields, reason: "new app", ...(node ? { node } : {}) };
  if (sameFields(service.fields, fields)) return undefined;
  const changes = diffFields(service.fields, fields);
  // AlaCrity's defaults alone are no reason for an update (landingDefaults.ts).
  const significant = changes.filter((c) => c.field !== REVISION_FIELD && !isDefaultChange(c));
  if (significant.length === 0) return undefined;

  const observedReplicas = service.fields.replicas;
  if (
    significant.every((c) => c.field === "replicas") &&
    observedReplicas !== null &&
    fields.replicas !== null
  ) {
    return {
      kind: "scale",
      app: app.name,
      serviceId: service.id,
      version: service.version,
      from: observedReplicas,
      to: fields.replicas,
      reason:
        app.persistent && observedReplicas > 1
          ? "scaled back: persistent apps run at most one replica"
          : "drift corrected",
    };
  }
  const nodes = taskNodes(service.id);
  const landed = landDefaults(changes, fields, service.fields, nodes);
  return {
    kind: "update",
    app: app.name,
    serviceId: service.id,
    version: service.version,
    fields: landed.fields,
    reason: updateReason(service, fields, significant, moving),
    ...updateDetails(landed.changes, landed.fields, nodes),
    ...(changesMode(service.fields, fields)
      ? { recreate: true, restarts: true, restartOrder: fields.updateOrder }
      : {}),
  };
}

function updateReason(
  service: ObservedService,
  fields: ReturnType<typeof desiredFields>,
  significant: FieldChange[],
  moving: boolean,
): ActionReason {
  if (moving) return "explicit move";
  if (joinsDefaultNetwork(significant)) return "joins the default network";
  if (onlyContentChanged(significant)) return "content changed";
  if (service.fields.labels[LABEL.hash] !== fields.labels[LABEL.hash]) return "manifest changed";
  if (significant.every((c) => PIN_FIELDS.has(c.field))) return "pin restored";
  return "drift corrected";
}

/**
 * A service made before AlaCrity managed networks, whose manifest is unchanged: its only change
 * is joining the default network (and so its hash label). Said so, rather than "manifest changed".
 */
function joinsDefaultNetwork(significant: readonly FieldChange[]): boolean {
  const changes = significant.filter((c) => c.field !== `labels.${LABEL.hash}`);
  return (
    changes.length === 1 &&
    changes[0]?.field === "networks" &&
    changes[0].from === "(none)" &&
    changes[0].to === networkName(DEFAULT_NETWORK)
  );
}

/** Only the value of secrets or configs changed (the manifest as written did not): say which. */
function onlyContentChanged(significant: readonly FieldChange[]): boolean {
  const changes = significant.filter((c) => c.field !== `labels.${LABEL.hash}`);
  return (
    changes.length > 0 &&
    changes.every((c) => /^(secrets|configs)\./.test(c.field) && c.to === CONTENT_CHANGED)
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
