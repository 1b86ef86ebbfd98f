import type Docker from "dockerode";

type CreateWithAuth = (
  auth: Docker.AuthConfig | undefined,
  spec: Docker.ServiceSpec,
) => Promise<Docker.Service>;

/**
 * Creates a service from `spec` and returns its ID. dockerode's one-argument
 * `createService(spec)` also keeps `spec` as the registry credentials, so docker-modem sends the
 * whole spec a second time, base64-encoded, in the `X-Registry-Auth` header, and dockerd stores
 * that header as the service's pull credentials (moby's daemon/cluster/services.go): the spec's
 * environment values would end up in Swarm's store once more, where no inspect shows them, and
 * every later update carries them forward. No credentials are sent: the nodes pull as they are
 * logged in, as `docker stack deploy` does without `--with-registry-auth`.
 */
export async function createService(docker: Docker, spec: Docker.ServiceSpec): Promise<string> {
  const create = docker.createService.bind(docker) as unknown as CreateWithAuth;
  const created = await create(undefined, spec);
  return created.id;
}
