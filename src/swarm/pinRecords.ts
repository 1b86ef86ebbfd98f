import type Docker from "dockerode";
import { LABEL, leftConfigName } from "../domain/names.js";
import { mergeStorage } from "../domain/storage.js";
import { setConfigLabels } from "./configLabels.js";
import { toDockerError, statusCodeOf } from "./errors.js";
import type { RecordedStorage } from "./types.js";

/*
 * The labels of pin and left-behind records that more than the executor writes: an explicit move
 * in the plan and `alacrity move` both record what an app leaves on its old node.
 */

/**
 * Records what the app keeps on the node it is moved away from, before its pin there goes: one
 * record per app and node. One already there (an earlier move from that node) keeps its place,
 * its storage merged with this one's.
 */
export async function recordLeftBehind(
  docker: Docker,
  app: string,
  left: { nodeId: string; hostname: string; storage: RecordedStorage },
): Promise<void> {
  const name = leftConfigName(app, left.nodeId);
  const labels = {
    [LABEL.leftRecord]: "true",
    [LABEL.managed]: "true",
    [LABEL.app]: app,
    [LABEL.pinNode]: left.nodeId,
    [LABEL.pinHostname]: left.hostname,
  };
  try {
    await docker.createConfig({
      Name: name,
      Labels: { ...labels, ...storageLabels(left.storage) },
      Data: Buffer.from(JSON.stringify({ app, nodeId: left.nodeId, hostname: left.hostname })).toString(
        "base64",
      ),
    });
  } catch (err) {
    if (statusCodeOf(err) !== 409)
      throw toDockerError(err, `cannot record what ${app} leaves on ${left.hostname}`);
    const config = docker.getConfig(name);
    const current = (await config.inspect()) as {
      Version?: { Index?: number };
      Spec?: { Labels?: Record<string, string> };
    };
    const was = current.Spec?.Labels ?? {};
    const merged = mergeStorage(left.storage, {
      volumes: parseList(was[LABEL.pinVolumes]),
      hostPaths: parseList(was[LABEL.pinHostPaths]),
    });
    await config.update({
      _query: { version: current.Version?.Index ?? 0 },
      _body: { Name: name, Labels: { ...was, ...labels, ...storageLabels(merged) } },
    });
  }
}

const parseList = (text: string | undefined): string[] => {
  try {
    const value: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
};

/** The pin record's labels that record the app's storage (none when there is nothing to record). */
export function storageLabels(storage: RecordedStorage | undefined): Record<string, string> {
  if (!storage) return {};
  return {
    [LABEL.pinVolumes]: JSON.stringify(storage.volumes),
    [LABEL.pinHostPaths]: JSON.stringify(storage.hostPaths),
  };
}

/**
 * Points an existing pin record at another node, in one label update (Swarm lets a config's
 * labels change, not its data, and the pin is read from its labels): the switch of
 * `alacrity move` from the old node to the new one is a single write, never half done.
 */
export async function switchPin(
  docker: Docker,
  configId: string,
  app: string,
  to: { nodeId: string; hostname: string },
): Promise<void> {
  try {
    await setConfigLabels(docker, configId, { [LABEL.pinNode]: to.nodeId, [LABEL.pinHostname]: to.hostname });
  } catch (err) {
    throw toDockerError(err, `cannot pin ${app} to ${to.hostname}`);
  }
}
