import type Docker from "dockerode";

/**
 * Sets labels on an existing Swarm config, keeping its others: Swarm lets a config's labels
 * change, not its data, and AlaCrity's records are read from their labels. The update carries
 * the version just read, so a record changed in between fails instead of being overwritten.
 */
export async function setConfigLabels(
  docker: Docker,
  configId: string,
  labels: Record<string, string>,
): Promise<void> {
  const config = docker.getConfig(configId);
  const current = (await config.inspect()) as {
    Version?: { Index?: number };
    Spec?: { Name?: string; Labels?: Record<string, string> };
  };
  await config.update({
    _query: { version: current.Version?.Index ?? 0 },
    _body: { Name: current.Spec?.Name, Labels: { ...(current.Spec?.Labels ?? {}), ...labels } },
  });
}
