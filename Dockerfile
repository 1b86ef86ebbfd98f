# AlaCrity's container image: `alacrity run` watching /apps and reconciling the Swarm it talks to
# through the mounted Docker socket. See manifests/README.md for deploying it as a Swarm stack.
#
#   npm ci && docker build -t alacrity:latest .
#   docker build --build-arg NODE_IMAGE=alacrity-test/node:20 -t alacrity:dev .
#
# The dependencies come from the build context's node_modules/, installed by `npm ci` from the
# lock file before the build, rather than from an `npm ci` inside the build: the build then
# needs no network at all (no npm registry, no proxy or private CA to trust inside the image),
# which is what makes it work on machines whose only way out is an intercepting proxy, and in
# the project's end-to-end test. The sources are still type-checked and bundled inside the
# build; the bundle (dist/cli) holds every package it uses, so the runtime stage has no
# node_modules at all.
#
# NODE_IMAGE is the base of every stage. It defaults to the official Node image; any Debian-like
# image with node >= 20.19 and npm on PATH and a user `node` works (the tests build one from
# Debian packages with scripts/build-node-base-image.sh, since no registry is reachable there).
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: type-check and bundle the TypeScript with the full dependency set ---
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
COPY node_modules ./node_modules
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-cli.mjs scripts/dockerodeTrim.mjs ./scripts/
COPY src ./src
RUN npm run build && chmod 0755 dist/cli/main.js

# --- runtime: node and the bundled binary only ---
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="AlaCrity" \
      org.opencontainers.image.description="A declarative, Kubernetes-style reconciling controller for Docker Swarm" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.documentation="manifests/README.md"

WORKDIR /opt/alacrity
COPY --from=build /build/package.json ./package.json
COPY --from=build /build/dist ./dist
COPY schema ./schema
RUN ln -s /opt/alacrity/dist/cli/main.js /usr/local/bin/alacrity \
 && mkdir -p /apps

# The daemon reads these when the flags are not given. Inside a container it must listen on all
# interfaces so that the health check and a published port can reach it; the endpoints are
# read-only, and the port is not published unless you publish it.
ENV NODE_ENV=production \
    ALACRITY_DIR=/apps \
    ALACRITY_LISTEN=0.0.0.0:9464

# Non-root by default. The user `node` (uid 1000) can use the Docker socket only when it is in
# the group that owns the socket on the host, whose gid differs from host to host:
#   docker run --group-add "$(stat -c %g /var/run/docker.sock)" -v /var/run/docker.sock:/var/run/docker.sock ...
# Whoever can use that socket is root on the host anyway, so running as root instead (as the
# stack file in manifests/ does) gives nothing more away.
USER node

EXPOSE 9464
# No curl in the image: node itself asks /healthz (the process is up and serving).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# SIGTERM (docker stop, a Swarm update) makes `alacrity run` finish in-flight work and exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["alacrity"]
CMD ["run"]
