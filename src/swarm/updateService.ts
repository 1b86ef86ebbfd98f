import type Docker from "dockerode";

/**
 * Sends `spec` as the service's new spec, if it is still at `version` (else Swarm answers "update
 * out of sequence"). dockerode's `service.update(opts)` sends `opts` both as the body and as the
 * query string, which would put the whole spec (environment values included) in the URL:
 * docker-modem's `_query` and `_body` keep the version in the query and the spec in the body.
 */
export async function updateService(
  docker: Docker,
  idOrName: string,
  version: number,
  spec: Docker.ServiceSpec,
): Promise<void> {
  await docker.getService(idOrName).update({ _query: { version }, _body: spec });
}
