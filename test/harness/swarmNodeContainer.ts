import "./testcontainersEnv.js";

import { GenericContainer, Wait } from "testcontainers";

/** The port the node's inner dockerd listens on for TCP (unauthenticated; test only). */
export const NODE_API_PORT = 2375;

/** How one Docker-in-Docker Swarm node is created. */
export interface SwarmNodeContainerOptions {
  /** Image built by scripts/build-node-image.sh. */
  image: string;
  /** Container hostname; Swarm uses it as the node's hostname. */
  hostname: string;
  /** Name of the user-defined bridge network the nodes share. */
  networkName: string;
  /** Fixed address on that network, so a restarted manager keeps its advertised address. */
  ipAddress: string;
  /** Host port on 127.0.0.1 that publishes the inner API; fixed so it survives a restart. */
  apiHostPort: number;
  /** Docker volume holding the node's /var/lib/docker. */
  dataVolume: string;
  labels: Record<string, string>;
}

/**
 * A Docker-in-Docker node as testcontainers' GenericContainer, with the three settings its
 * builder has no method for: a static IP, a port published on 127.0.0.1 only, and a volume
 * mount. The node's /var/lib/docker is a named volume rather than a tmpfs because a tmpfs is
 * emptied when the container stops, and a stopped and restarted node must come back as the
 * same Swarm node with its images and volumes.
 *
 * `--privileged` fails in this sandbox (it lacks CAP_SYS_RESOURCE); all other capabilities with
 * seccomp and AppArmor unconfined are enough. /sys/fs/cgroup is bound read-write because the host
 * uses cgroup v1 and the inner dockerd must create its containers' cgroups.
 */
export class SwarmNodeContainer extends GenericContainer {
  constructor(options: SwarmNodeContainerOptions) {
    super(options.image);
    this.withHostname(options.hostname)
      .withName(`alacrity-mn-${process.pid}-${options.hostname}`)
      .withNetworkMode(options.networkName)
      .withAddedCapabilities("ALL")
      .withDroppedCapabilities("SYS_RESOURCE")
      .withSecurityOpt("seccomp=unconfined", "apparmor=unconfined")
      .withBindMounts([{ source: "/sys/fs/cgroup", target: "/sys/fs/cgroup", mode: "rw" }])
      .withPullPolicy({ shouldPull: () => false })
      .withLabels(options.labels)
      .withWaitStrategy(Wait.forSuccessfulCommand("docker version >/dev/null"))
      .withStartupTimeout(120_000);
    this.createOpts.ExposedPorts = { [`${NODE_API_PORT}/tcp`]: {} };
    this.hostConfig.PortBindings = {
      [`${NODE_API_PORT}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: String(options.apiHostPort) }],
    };
    this.hostConfig.Mounts = [{ Type: "volume", Source: options.dataVolume, Target: "/var/lib/docker" }];
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [options.networkName]: { IPAMConfig: { IPv4Address: options.ipAddress } } },
    };
  }
}
