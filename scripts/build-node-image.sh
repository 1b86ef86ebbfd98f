#!/usr/bin/env bash
# Builds the Docker-in-Docker Swarm node image the multi-node tests start (test/harness/).
# No registry is reachable here, so the image is a Debian root file system made by debootstrap
# and imported. The tag is a hash of this script, so the ~35 s build runs once per version of
# it: an image with that tag already present is reused. Prints the tag on stdout (logs go to
# stderr). Debian/Ubuntu, as root (or with sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
SUITE="bookworm"
MIRROR="${ALACRITY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="docker.io,iptables,iproute2,ca-certificates"

log() { printf '[build-node-image] %s\n' "$*" >&2; }

# The node's entry point. The inner dockerd listens on its unix socket (for `docker exec NODE
# docker ...`) and on unauthenticated TCP 2375, which the tests reach through a port published
# on 127.0.0.1 only. vfs is used because overlay2 cannot stack on the outer overlay2 mount and
# the node's /var/lib/docker may be a tmpfs (the busybox workload is 2 MB, so copies are cheap).
# --tls=false states the intent explicitly; without it dockerd 20.10 sleeps 15 s at start-up to
# warn about the unauthenticated TCP socket.
# iptables: the node uses iptables-legacy, because the nft backend needs the nf_tables module,
# which the sandboxed host may not expose; the legacy one is probed at start and Docker's own
# iptables handling is turned off only when neither works.
read -r -d '' ENTRYPOINT <<'EOF' || true
#!/bin/sh
set -e
mkdir -p /var/lib/docker /run
rm -f /var/run/docker.pid /run/docker/containerd/containerd.pid
iptables_flag="--iptables=true"
if ! iptables -t nat -L >/dev/null 2>&1; then
  echo "node: iptables unusable here; starting dockerd with --iptables=false" >&2
  iptables_flag="--iptables=false"
fi
exec dockerd \
  --host=unix:///var/run/docker.sock \
  --host=tcp://0.0.0.0:2375 \
  --tls=false \
  --storage-driver=vfs \
  "$iptables_flag" \
  --log-level=warn
EOF

TAG_HASH="$(printf '%s\n%s\n%s\n%s\n' "$(cat "${BASH_SOURCE[0]}")" "$SUITE" "$PACKAGES" "$ENTRYPOINT" | sha256sum | cut -c1-12)"
TAG="alacrity-test/swarm-node:${TAG_HASH}"

if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "reusing $TAG"
  printf '%s\n' "$TAG"
  exit 0
fi

# Test runs on this machine may start at once: one builds, the others wait and reuse its image.
exec 9>"${TMPDIR:-/tmp}/alacrity-build-node-image.lock"
flock -w 600 9 || { log "timed out waiting for another build of the node image"; exit 1; }
if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "reusing $TAG (built meanwhile by another run)"
  printf '%s\n' "$TAG"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq debootstrap >/dev/null 2>&1 || {
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq debootstrap >/dev/null
  }
fi

root="$(mktemp -d /tmp/alacrity-node-root.XXXXXX)"
trap '$SUDO rm -rf "$root"' EXIT
log "debootstrap $SUITE with $PACKAGES into $root (about 35 s)"
$SUDO debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >&2

# Slim the file system: apt caches and docs are never used inside a node.
$SUDO rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
$SUDO chroot "$root" update-alternatives --set iptables /usr/sbin/iptables-legacy >&2
$SUDO chroot "$root" update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >&2
printf '%s\n' "$ENTRYPOINT" | $SUDO tee "$root/usr/local/bin/alacrity-node-start" >/dev/null
$SUDO chmod 0755 "$root/usr/local/bin/alacrity-node-start"

log "importing $TAG"
$SUDO tar -C "$root" -c . | docker import \
  -c 'CMD ["/usr/local/bin/alacrity-node-start"]' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'EXPOSE 2375' \
  -c 'LABEL alacrity.test.image=swarm-node' \
  - "$TAG" >/dev/null
log "built $TAG"
# Older versions of the image are 350 MB each; one still used by a container stays.
docker image ls --format '{{.Repository}}:{{.Tag}}' alacrity-test/swarm-node | grep -vxF "$TAG" |
  xargs -r docker image rm >/dev/null 2>&1 || true
printf '%s\n' "$TAG"
