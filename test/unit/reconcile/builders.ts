import type {
  AppFileRef,
  NetworkSpec,
  AppSpec,
  DesiredState,
  InvalidApp,
  PortSpec,
  ResourceSpec,
  VolumeSpec,
} from "../../../src/manifest/types.js";
import type {
  ContentValue,
  ObservedNode,
  ObservedService,
  ObservedState,
  ObservedTask,
  PinRecord,
  RecordedStorage,
  ServiceFields,
} from "../../../src/swarm/types.js";
import { storageOf } from "../../../src/reconcile/storageRecord.js";
import { LABEL } from "../../../src/domain/names.js";
import { desiredFields, type PinTarget } from "../../../src/reconcile/desiredFields.js";
import type { PlanOptions } from "../../../src/reconcile/types.js";

export const OPTIONS: PlanOptions = { allowEmpty: false, allowMassPrune: false, instance: "default" };

/** `anApp("db").persistent().withVolume("data", "/data").build()` */
export function anApp(name: string): AppBuilder {
  return new AppBuilder(name);
}

export class AppBuilder {
  #app: AppSpec;
  constructor(name: string) {
    this.#app = {
      name,
      labels: {},
      annotations: {},
      image: "alacrity-test/busybox:1",
      persistent: false,
      replicas: 1,
      env: {},
      ports: [],
      volumes: [],
      file: `${name}.yaml`,
      source: { file: `${name}.yaml`, line: 1, col: 1 },
      positions: {
        "metadata.name": { file: `${name}.yaml`, line: 4, col: 9 },
        "spec.replicas": { file: `${name}.yaml`, line: 8, col: 13 },
        "spec.node": { file: `${name}.yaml`, line: 9, col: 9 },
      },
    };
  }
  persistent(on = true): this {
    this.#app.persistent = on;
    return this;
  }
  replicas(n: number): this {
    this.#app.replicas = n;
    return this;
  }
  image(image: string): this {
    this.#app.image = image;
    return this;
  }
  onNode(node: string): this {
    this.#app.node = node;
    return this;
  }
  command(...command: string[]): this {
    this.#app.command = command;
    return this;
  }
  args(...args: string[]): this {
    this.#app.args = args;
    return this;
  }
  env(key: string, value: string): this {
    this.#app.env = { ...this.#app.env, [key]: value };
    return this;
  }
  label(key: string, value: string): this {
    this.#app.labels = { ...this.#app.labels, [key]: value };
    return this;
  }
  annotate(key: string, value: string): this {
    this.#app.annotations = { ...this.#app.annotations, [key]: value };
    return this;
  }
  port(target: number, published?: number, protocol: PortSpec["protocol"] = "tcp"): this {
    this.#app.ports = [
      ...this.#app.ports,
      { target, protocol, ...(published !== undefined ? { published } : {}) },
    ];
    return this;
  }
  resources(resources: ResourceSpec): this {
    this.#app.resources = resources;
    return this;
  }
  withVolume(name: string, containerPath: string, readOnly = false): this {
    return this.#addVolume({ kind: "named", name, containerPath, readOnly }, "name");
  }
  withHostPath(hostPath: string, containerPath: string, readOnly = false): this {
    return this.#addVolume({ kind: "host", hostPath, containerPath, readOnly }, "hostPath");
  }
  withExternalVolume(name: string, containerPath: string, readOnly = false): this {
    return this.#addVolume({ kind: "external", name, containerPath, readOnly }, "external");
  }
  #addVolume(v: VolumeSpec, key: string): this {
    const i = this.#app.volumes.length;
    this.#app.volumes = [...this.#app.volumes, v];
    this.#app.positions = {
      ...this.#app.positions,
      [`spec.volumes[${i}].${key}`]: { file: this.#app.source.file, line: 20 + i * 2, col: 13 },
    };
    return this;
  }
  inFile(file: string, line = 1): this {
    this.#app.file = file;
    this.#app.source = { file, line, col: 1 };
    this.#app.positions = Object.fromEntries(
      Object.entries(this.#app.positions).map(([k, p]) => [k, { ...p, file, line: p.line + line - 1 }]),
    );
    return this;
  }
  /** Any other fields, as the manifest parser would set them (issue 17's policies, mode, placement). */
  with(fields: Partial<AppSpec>): this {
    this.#app = { ...this.#app, ...fields };
    return this;
  }
  build(): AppSpec {
    return structuredClone(this.#app);
  }
}

/** A desired state holding these apps (fileCount: one per distinct file). */
export function desiredOf(apps: AppSpec[], extra: Partial<DesiredState> = {}): DesiredState {
  return {
    apps: new Map(apps.map((a) => [a.name, a])),
    invalid: [],
    errors: [],
    failedFiles: new Set(),
    fileCount: new Set(apps.map((a) => a.source.file)).size,
    missing: false,
    ...extra,
  };
}

export function invalidApp(name: string | undefined, file: string, message = "required"): InvalidApp {
  return {
    ...(name !== undefined ? { name } : {}),
    file,
    errors: [{ file, line: 5, col: 3, path: "spec.image", message }],
  };
}

/** `aSwarm().withNode("worker-1").withService(...).withPin(...).build()` */
export function aSwarm(): SwarmBuilder {
  return new SwarmBuilder();
}

export class SwarmBuilder {
  #state: ObservedState = { services: [], tasks: [], nodes: [], volumes: [], pins: [] };
  withNode(hostname: string, opts: Partial<ObservedNode> = {}): this {
    this.#state.nodes.push({
      id: opts.id ?? `id-${hostname}`,
      hostname,
      state: "ready",
      availability: "active",
      role: "worker",
      labels: {},
      ...opts,
    });
    return this;
  }
  withService(service: ObservedService): this {
    this.#state.services.push(service);
    return this;
  }
  /** A Docker volume the engine the controller talks to lists. */
  withVolume(name: string, labels: Record<string, string> = {}): this {
    this.#state.volumes.push({ name, labels });
    return this;
  }
  /**
   * A pin record. `storage` is what it records (default: nothing; `withPinOf` records what an
   * app mounts); `null`: a record from before storage was recorded.
   */
  withPin(
    app: string,
    nodeId: string,
    hostname = nodeId.replace(/^id-/, ""),
    storage: RecordedStorage | null = { volumes: [], hostPaths: [] },
  ): this {
    this.#state.pins.push({
      app,
      nodeId,
      hostname,
      configId: `cfg-${app}`,
      version: 3,
      ...(storage ? { storage } : {}),
    });
    return this;
  }
  /** A pin record of `app` as the apply that pinned it wrote it: with the storage it mounts. */
  withPinOf(app: AppSpec, nodeId: string, hostname = nodeId.replace(/^id-/, "")): this {
    return this.withPin(app.name, nodeId, hostname, storageOf(app));
  }
  /** `alacran--default`, as the first apply of instance `instance` leaves it. */
  withDefaultNetwork(instance = "default"): this {
    (this.#state.networks ??= []).push({
      id: "net-default",
      name: "alacran--default",
      driver: "overlay",
      scope: "swarm",
      internal: false,
      attachable: false,
      encrypted: false,
      labels: { "alacrity.managed": "true", "alacrity.instance": instance, "alacrity.resource": "default" },
    });
    return this;
  }
  withTask(task: Partial<ObservedTask> & { serviceId: string }): this {
    this.#state.tasks.push({
      id: `task-${this.#state.tasks.length + 1}`,
      desiredState: "running",
      state: "running",
      message: "started",
      timestamp: `2024-01-01T00:00:${String(this.#state.tasks.length).padStart(2, "0")}Z`,
      ...task,
    });
    return this;
  }
  build(): ObservedState {
    return this.#state;
  }
}

/** An observed service as if `desiredFields` had been applied, with optional changes made by hand. */
export function serviceFor(
  app: AppSpec,
  pin?: PinTarget | PinRecord,
  options: PlanOptions = OPTIONS,
  change: (f: ServiceFields) => void = () => {},
): ObservedService {
  const fields = structuredClone(
    desiredFields(app, pin ? { nodeId: pin.nodeId, hostname: pin.hostname } : undefined, options),
  );
  // Swarm stores AlaCrity's defaults as values: observe cannot tell which they were.
  delete fields.defaulted;
  change(fields);
  return rawService(app.name, fields);
}

export function rawService(name: string, fields: ServiceFields, version = 7): ObservedService {
  return {
    id: `svc-${name}`,
    name,
    serviceName: name,
    version,
    fields,
    rawSpec: {},
    createdAt: "2024-01-01T00:00:00Z",
    updatedAt: "2024-01-01T00:00:00Z",
  };
}

/** A service nobody manages (made by hand). */
export function unmanagedService(name: string, labels: Record<string, string> = {}): ObservedService {
  return rawService(name, {
    image: "nginx:1",
    env: {},
    ports: [],
    mounts: [],
    constraints: [],
    labels,
    replicas: 1,
    updateOrder: "stop-first",
    maxReplicasPerNode: 0,
  });
}

/** A managed service of an app no manifest defines any more. */
export function orphanService(name: string, file = `${name}.yaml`, instance = "default"): ObservedService {
  return serviceFor(anApp(name).inFile(file).build(), undefined, { ...OPTIONS, instance });
}

/** A content that prints as `(hidden)`, as src/content/ makes them. */
export const hidden = (text: string): ContentValue => ({
  read: () => Buffer.from(text),
  toJSON: () => "(hidden)",
});

export const secretRef = (name: string): AppFileRef => ({
  name,
  target: `/run/secrets/${name}`,
  uid: "0",
  gid: "0",
  mode: 0o444,
});

export const networkDoc = (name: string, opts: Partial<NetworkSpec> = {}): NetworkSpec => ({
  name,
  labels: {},
  file: "docs.yaml",
  source: { file: "docs.yaml", line: 3, col: 5 },
  positions: {},
  internal: false,
  attachable: false,
  encrypted: false,
  ...opts,
});
export { LABEL };
