import type { StatusRow } from "../../../src/reconcile/status.js";
import type { ObservedNode, ObservedService, ObservedState, ObservedTask } from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";

export function row(name: string, extra: Partial<StatusRow> = {}): StatusRow {
  return {
    name,
    persistent: false,
    desired: 1,
    running: 1,
    volumes: [],
    networks: [],
    state: "running",
    reason: "",
    ...extra,
  };
}

export function node(id: string, hostname: string, extra: Partial<ObservedNode> = {}): ObservedNode {
  return { id, hostname, state: "ready", availability: "active", role: "worker", labels: {}, ...extra };
}

export function service(id: string, name: string, instance = "default"): ObservedService {
  return {
    id,
    name,
    serviceName: name,
    version: 1,
    fields: {
      labels: { [LABEL.managed]: "true", ...(instance === "default" ? {} : { [LABEL.instance]: instance }) },
    },
    rawSpec: {},
    createdAt: "",
    updatedAt: "",
  } as unknown as ObservedService;
}

export function task(id: string, serviceId: string, nodeId: string, state = "running"): ObservedTask {
  return { id, serviceId, nodeId, desiredState: "running", state, message: "", timestamp: "" };
}

export function observed(extra: Partial<ObservedState> = {}): ObservedState {
  return { services: [], tasks: [], nodes: [], volumes: [], pins: [], ...extra };
}
