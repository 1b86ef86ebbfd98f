// testcontainers starts its Ryuk reaper container unless told not to, and that image cannot be
// pulled here (no registry). Imported for its side effect before testcontainers is used; the
// harness removes its containers, networks and volumes itself (cleanup(), sweepLeftovers()).
process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
// Inside a container (/.dockerenv exists) testcontainers looks for the Docker host's address by
// running an alpine:3.14 container, i.e. by trying to pull it from a registry. The harness
// publishes every port on 127.0.0.1 and talks to it with its own clients, so say so up front.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
