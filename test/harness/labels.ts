/** Every container, network and volume of a multi-node Swarm carries this label (key=value). */
export const MULTINODE_LABEL_KEY = "alacrity.test";
export const MULTINODE_LABEL_VALUE = "multinode";
/**
 * The id of the process that created the resource. Several test runs may share this machine at
 * once: a sweep removes only what a process that is no longer alive left behind.
 */
export const OWNER_PID_LABEL_KEY = "alacrity.test.pid";

export function multiNodeLabels(): Record<string, string> {
  return { [MULTINODE_LABEL_KEY]: MULTINODE_LABEL_VALUE, [OWNER_PID_LABEL_KEY]: String(process.pid) };
}

export const MULTINODE_LABEL_FILTER = `${MULTINODE_LABEL_KEY}=${MULTINODE_LABEL_VALUE}`;
