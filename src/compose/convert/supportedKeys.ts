/*
 * The one table of compose keys `alacrity import` knows: what each becomes, or why it cannot be
 * kept. The converter asks it for every key it meets (a key it does not list is reported as
 * unknown), and the README's list is generated from it (test/unit/compose/convert/keyTable.test.ts),
 * so the two cannot disagree. Sections are the places a key can stand in a compose file.
 */

/** `mapped`: written into the manifest; `ignored`: `docker stack deploy` ignores it too (a note); `unsupported`: cannot be kept (exit 1). */
export type KeySupport = "mapped" | "ignored" | "unsupported";

export interface KeyEntry {
  support: KeySupport;
  /** What it becomes (mapped), or why it is left out (ignored, unsupported). */
  note: string;
}

const mapped = (note: string): KeyEntry => ({ support: "mapped", note });
const ignored = (note: string): KeyEntry => ({ support: "ignored", note });
const unsupported = (note: string): KeyEntry => ({ support: "unsupported", note });

const STACK_IGNORES = ignored("`docker stack deploy` ignores it too");
const NO_FIELD = unsupported("the manifest has no field for it");

export const KEY_TABLE = {
  top: {
    version: ignored("accepted and ignored, as by `docker stack deploy`"),
    name: ignored("the stack's name is `--stack NAME`"),
    services: mapped("one App document each"),
    networks: mapped("Network documents"),
    volumes: mapped("`spec.volumes` of the apps that mount them"),
    secrets: mapped("Secret documents"),
    configs: mapped("Config documents"),
  },
  service: {
    image: mapped("`spec.image`"),
    entrypoint: mapped("`spec.command` (a string is split as a shell would)"),
    command: mapped("`spec.args` (a string is split as a shell would)"),
    environment: mapped("`spec.env` (list or map)"),
    env_file: mapped("`spec.env`, read relative to the compose file (the `environment` key wins)"),
    ports: mapped("`spec.ports` (short and long syntax; ranges expanded)"),
    volumes: mapped("`spec.volumes`, and `persistent: true`"),
    deploy: mapped("see the deploy keys"),
    healthcheck: mapped("`spec.healthcheck`"),
    stop_grace_period: mapped("`spec.stopGracePeriod`"),
    networks: mapped("`spec.networks` (with aliases)"),
    secrets: mapped("`spec.secrets`"),
    configs: mapped("`spec.configs`"),
    restart: mapped("`spec.restart`, when `deploy.restart_policy` is not set (as stack deploy does)"),
    labels: unsupported("container labels: the manifest has service labels only (`deploy.labels`)"),
    extends: ignored("resolved when the compose files are read"),
    depends_on: ignored("Swarm has no start order; `docker stack deploy` ignores it too"),
    container_name: STACK_IGNORES,
    expose: STACK_IGNORES,
    build: STACK_IGNORES,
    cgroupns_mode: STACK_IGNORES,
    cgroup_parent: STACK_IGNORES,
    devices: STACK_IGNORES,
    domainname: STACK_IGNORES,
    external_links: STACK_IGNORES,
    ipc: STACK_IGNORES,
    links: STACK_IGNORES,
    mac_address: STACK_IGNORES,
    network_mode: STACK_IGNORES,
    pid: STACK_IGNORES,
    privileged: STACK_IGNORES,
    security_opt: STACK_IGNORES,
    shm_size: STACK_IGNORES,
    userns_mode: STACK_IGNORES,
    cap_add: NO_FIELD,
    cap_drop: NO_FIELD,
    credential_spec: NO_FIELD,
    dns: NO_FIELD,
    dns_search: NO_FIELD,
    extra_hosts: NO_FIELD,
    hostname: NO_FIELD,
    init: NO_FIELD,
    isolation: NO_FIELD,
    logging: NO_FIELD,
    oom_score_adj: NO_FIELD,
    read_only: NO_FIELD,
    stdin_open: NO_FIELD,
    stop_signal: NO_FIELD,
    sysctls: NO_FIELD,
    tmpfs: NO_FIELD,
    tty: NO_FIELD,
    ulimits: NO_FIELD,
    user: NO_FIELD,
    working_dir: NO_FIELD,
  },
  deploy: {
    replicas: mapped("`spec.replicas` (1 at most for a persistent app: lowered, with a warning)"),
    mode: mapped("`spec.mode` (replicated, global)"),
    endpoint_mode: mapped("`spec.endpointMode`"),
    labels: mapped("`metadata.labels` (service labels)"),
    resources: mapped("`spec.resources`"),
    placement: mapped(
      "`spec.placement`; on a persistent app a `node.hostname==` or `node.id==` constraint becomes `spec.node`",
    ),
    update_config: mapped("`spec.update`"),
    rollback_config: mapped("`spec.rollback`"),
    restart_policy: mapped("`spec.restart`"),
  },
  resources: {
    limits: mapped("`spec.resources.limits`"),
    reservations: mapped("`spec.resources.reservations`"),
  },
  resourceAmounts: {
    cpus: mapped("`cpus`"),
    memory: mapped("`memory`"),
    pids: NO_FIELD,
    generic_resources: NO_FIELD,
    devices: NO_FIELD,
  },
  placement: {
    constraints: mapped("`spec.placement.constraints`"),
    preferences: mapped("`spec.placement.preferences` (`spread`)"),
    max_replicas_per_node: mapped("`spec.placement.maxReplicasPerNode`"),
  },
  updateConfig: {
    parallelism: mapped("`parallelism`"),
    delay: mapped("`delay`"),
    failure_action: mapped("`failureAction`"),
    monitor: mapped("`monitor`"),
    max_failure_ratio: mapped("`maxFailureRatio`"),
    order: mapped("`order` (a persistent app is always stop-first)"),
  },
  restartPolicy: {
    condition: mapped("`condition`"),
    delay: mapped("`delay`"),
    max_attempts: mapped("`maxAttempts`"),
    window: mapped("`window`"),
  },
  healthcheck: {
    test: mapped("`test` (a string runs in the shell: CMD-SHELL)"),
    disable: mapped("`healthcheck: none`"),
    interval: mapped("`interval`"),
    timeout: mapped("`timeout`"),
    retries: mapped("`retries`"),
    start_period: mapped("`startPeriod`"),
    start_interval: NO_FIELD,
  },
  port: {
    target: mapped("`target`"),
    published: mapped("`published`"),
    protocol: mapped("`protocol` (tcp, udp)"),
    mode: mapped("`ingress` only: AlaCrity publishes every port on the routing mesh"),
    host_ip: unsupported("Swarm publishes on every address"),
    name: NO_FIELD,
    app_protocol: NO_FIELD,
  },
  mount: {
    type: mapped("`volume` and `bind`; `tmpfs` and the others cannot be kept"),
    source: mapped("`name`, `external` (with `--stack`) or `hostPath`"),
    target: mapped("`containerPath`"),
    read_only: mapped("`readOnly`"),
    consistency: ignored("has no effect on Linux"),
    volume: NO_FIELD,
    bind: NO_FIELD,
    tmpfs: NO_FIELD,
    image: NO_FIELD,
  },
  serviceNetwork: {
    aliases: mapped("`aliases`"),
    ipv4_address: NO_FIELD,
    ipv6_address: NO_FIELD,
    link_local_ips: NO_FIELD,
    driver_opts: NO_FIELD,
    priority: NO_FIELD,
  },
  fileRef: {
    source: mapped("`name`"),
    target: mapped("`target`"),
    uid: mapped("`uid`"),
    gid: mapped("`gid`"),
    mode: mapped("`mode`"),
  },
  network: {
    name: mapped(
      "the Swarm name: `external` with `--stack`; without it AlaCrity names the network alacran--NAME (a warning)",
    ),
    external: mapped("`spec.external`"),
    driver: mapped("`overlay` only (Swarm's)"),
    driver_opts: mapped("`encrypted` becomes `spec.encrypted`; other options cannot be kept"),
    internal: mapped("`spec.internal`"),
    attachable: mapped("`spec.attachable`"),
    labels: mapped("`metadata.labels`"),
    ipam: NO_FIELD,
    enable_ipv6: NO_FIELD,
  },
  volume: {
    name: mapped("the Docker volume's name (`external`)"),
    external: mapped("`external: NAME`, an existing volume"),
    driver: unsupported("AlaCrity's volumes use the local driver (fine with `--stack`: the volume exists)"),
    driver_opts: unsupported(
      "AlaCrity's volumes use the local driver (fine with `--stack`: the volume exists)",
    ),
    labels: unsupported("AlaCrity labels its volumes itself (fine with `--stack`: the volume exists)"),
  },
  secret: {
    file: mapped("`spec.file` (inside the output directory: see the report)"),
    environment: mapped("`spec.env`"),
    external: mapped("`spec.external`"),
    name: mapped("`spec.external` when external or with `--stack`"),
    labels: mapped("`metadata.labels`"),
    driver: NO_FIELD,
    driver_opts: NO_FIELD,
    template_driver: NO_FIELD,
  },
  config: {
    file: mapped("`spec.file` (inside the output directory: see the report)"),
    content: mapped("`spec.data`"),
    environment: mapped("`spec.env`"),
    external: mapped("`spec.external`"),
    name: mapped("`spec.external` when external or with `--stack`"),
    labels: mapped("`metadata.labels`"),
    template_driver: NO_FIELD,
  },
} satisfies Record<string, Record<string, KeyEntry>>;

export type KeySection = keyof typeof KEY_TABLE;

/** A key's entry, or undefined for a key the table does not know. `x-` keys are extensions. */
export function keyEntry(section: KeySection, key: string): KeyEntry | undefined {
  if (key.startsWith("x-")) return ignored("an extension field (`x-`), for the compose file's own use");
  const table: Record<string, KeyEntry> = KEY_TABLE[section];
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The README's list of keys, one line per section (the lists are generated, never hand-written). */
export function keyTableMarkdown(): string {
  const lines: string[] = [];
  for (const [section, keys] of Object.entries(KEY_TABLE)) {
    const entries = Object.entries(keys as Record<string, KeyEntry>);
    for (const support of ["mapped", "ignored", "unsupported"] as const) {
      const chosen = entries.filter(([, entry]) => entry.support === support);
      if (chosen.length === 0) continue;
      const items = chosen.map(([key, entry]) => `\`${key}\` (${entry.note})`).join(", ");
      lines.push(`- **${SECTION_TITLES[section as KeySection]}**, ${SUPPORT_TITLES[support]}: ${items}.`);
    }
  }
  return lines.join("\n");
}

const SUPPORT_TITLES: Record<KeySupport, string> = {
  mapped: "kept",
  ignored: "left out with a note",
  unsupported: "reported as not expressible (exit 1)",
};

const SECTION_TITLES: Record<KeySection, string> = {
  top: "top level",
  service: "service",
  deploy: "`deploy`",
  resources: "`deploy.resources`",
  resourceAmounts: "`deploy.resources.limits` / `reservations`",
  placement: "`deploy.placement`",
  updateConfig: "`deploy.update_config` / `rollback_config`",
  restartPolicy: "`deploy.restart_policy`",
  healthcheck: "`healthcheck`",
  port: "`ports` (long syntax)",
  mount: "`volumes` of a service (long syntax)",
  serviceNetwork: "`networks` of a service",
  fileRef: "`secrets` / `configs` of a service (long syntax)",
  network: "top-level `networks`",
  volume: "top-level `volumes`",
  secret: "top-level `secrets`",
  config: "top-level `configs`",
};
