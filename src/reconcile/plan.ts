import type { AppSpec, DesiredState } from "../manifest/types.js";
import type { DefaultedField, ObservedService, ObservedState } from "../swarm/types.js";
import { ANNOTATION, DEFAULT_NETWORK, LABEL, networkName, swarmNameOf } from "../domain/names.js";
import { annotationOn } from "../manifest/annotations.js";
import type {
  Action,
  ActionReason,
  FieldChange,
  BusyApp,
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
import { isAdoptable } from "../rules/ownership.js";
import { isDefaultChange } from "./policyDiff.js";
import { whyNodeUnusable } from "./nodes.js";
import { decideHold, holdsByApp, releaseRemovedHolds } from "./holds.js";
import { busyApp, maintenanceByApp } from "./maintenance.js";
import { countPins, decidePin, pinsByApp, withdrawPin } from "./pins.js";
import { recordStorage, withStorage } from "./storageRecord.js";
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
  const serviceOf = serviceLookup(observed.services, managed);
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
  const maintenance = maintenanceByApp(observed.maintenance);
  const busy: BusyApp[] = [];
  for (const app of [...desired.apps.values()].sort((a, b) => compare(a.name, b.name))) {
    if (invalidNames.has(app.name)) continue;
    const record = maintenance.get(app.name);
    if (record) {
      busy.push(busyApp(record));
      continue;
    }
    const rejection =
      firstRejection(app, serviceOf(app), options) ??
      NETWORK_UNAVAILABLE.check(app, view) ??
      CONTENT_UNAVAILABLE.check(app, view);
    if (rejection) rejections.push(rejection);
    else candidates.push(app);
  }

  const conflicts = STORAGE_CONFLICT.check(candidates, managed);
  const adopted = new Set(
    candidates.flatMap((app) => {
      const service = serviceOf(app);
      return service && isAdoptable(app, service, options.adoptStack) ? [service.id] : [];
    }),
  );
  const foreign = observed.services.filter((s) => !isManagedBy(s, options.instance) && !adopted.has(s.id));
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
    const service = serviceOf(app);
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
        pinActions.push(withStorage(decision.action, app, pins.get(app.name)));
        moving = decision.action.reason === "explicit move";
        if (decision.warning) warnings.push(decision.warning);
      } else {
        const record = pins.get(app.name);
        const recording = record ? recordStorage(app, record) : undefined;
        if (recording) pinActions.push(recording);
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
  const prune = planRemovals(
    desired,
    managed.filter((s) => !maintenance.has(s.name)),
    options,
    created,
  );
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
    ...(busy.length > 0 ? { busy } : {}),
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
  const serviceName = swarmNameOf(app);
  if (!service)
    return {
      kind: "create",
      app: app.name,
      ...(serviceName !== app.name ? { serviceName } : {}),
      fields,
      reason: "new app",
      ...(node ? { node } : {}),
    };
  if (service.serviceName !== serviceName) return rename(app, fields, service);
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
  const details = updateDetails(landed.changes, landed.fields, nodes);
  return {
    ...updateOf(app, service),
    fields: landed.fields,
    reason:
      service.name !== app.name
        ? "taken over from its stack"
        : updateReason(service, fields, significant, moving),
    ...details,
    ...(changesMode(service.fields, fields)
      ? { recreate: true, restarts: true, restartOrder: fields.updateOrder }
      : {}),
    ...(app.persistent && details.restarts && annotationOn(app.annotations, ANNOTATION.backupBeforeUpdate)
      ? { backupFirst: true }
      : {}),
  };
}

/** What every update of `service` for `app` says: which service, by ID and Swarm name, at which version. */
function updateOf(app: AppSpec, service: ObservedService) {
  const serviceName = swarmNameOf(app);
  return {
    kind: "update",
    app: app.name,
    serviceId: service.id,
    ...(serviceName !== app.name ? { serviceName } : {}),
    version: service.version,
  } as const;
}

/**
 * A new `spec.serviceName` for a service Swarm cannot rename: it is created again under the new
 * name (non-persistent apps only: SERVICE_RENAME_REFUSED refuses the others first).
 */
function rename(app: AppSpec, fields: ReturnType<typeof desiredFields>, service: ObservedService): Action {
  const serviceName = swarmNameOf(app);
  return {
    ...updateOf(app, service),
    fields,
    reason: "manifest changed",
    ...updateDetails(
      [
        { field: "serviceName", from: service.serviceName, to: serviceName },
        ...diffFields(service.fields, fields),
      ],
      fields,
      [],
    ),
    recreate: true,
    restarts: true,
    restartOrder: fields.updateOrder,
  };
}

/**
 * The service of each app: the one this instance manages for it (by its `alacrity.app` label),
 * else whatever service has its Swarm name (a conflict, or a stack's service to adopt).
 */
function serviceLookup(
  services: readonly ObservedService[],
  managed: readonly ObservedService[],
): (app: AppSpec) => ObservedService | undefined {
  const byApp = new Map(managed.map((s) => [s.name, s]));
  const bySwarmName = new Map(services.map((s) => [s.serviceName, s]));
  return (app) => byApp.get(app.name) ?? bySwarmName.get(swarmNameOf(app));
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
