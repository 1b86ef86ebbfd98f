#!/usr/bin/env bash
# Makes sure this host has a running Docker engine, an active single-node Swarm and the local
# workload image the tests use. Idempotent: does only what is missing. Debian/Ubuntu, as root
# (or with sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
WORKLOAD_IMAGE="${ALACRITY_TEST_IMAGE:-alacrity-test/busybox:1}"
HELPER_IMAGE="${ALACRITY_TEST_HELPER_IMAGE:-alacrity-test/helper:1}"

log() { printf '[setup] %s\n' "$*" >&2; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# 1. The engine (Debian's docker.io; a client alone is not enough).
if ! command -v dockerd >/dev/null 2>&1; then
  log "installing the Docker engine (docker.io)"
  apt_install docker.io
fi
if [ ! -x /bin/busybox ] || ! /bin/busybox --list 2>/dev/null | grep -qx httpd; then
  log "installing busybox-static (the test workload image is built from it)"
  apt_install busybox-static
fi
command -v git >/dev/null 2>&1 || apt_install git

# 2. A running daemon. systemd may not run here: start dockerd ourselves, detached.
if ! docker info >/dev/null 2>&1; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    $SUDO systemctl start docker
  else
    if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
      $SUDO rm -f /var/run/docker.pid
    fi
    log "starting dockerd (log: /var/log/dockerd.log)"
    $SUDO setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not come up; see /var/log/dockerd.log"; exit 1; }
fi

# 3. An active Swarm, single-node unless the host is already part of one.
state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
if [ "$state" != "active" ]; then
  if [ "$state" != "inactive" ]; then
    log "swarm state is '$state': leaving it and starting afresh"
    docker swarm leave --force >/dev/null 2>&1 || true
  fi
  log "initialising a single-node Swarm"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != "true" ]; then
  log "this engine is a Swarm worker: AlaCrity must talk to a manager"
  exit 1
fi

# 4. The workload image (no registry here: built from busybox, imported).
if ! docker image inspect "$WORKLOAD_IMAGE" >/dev/null 2>&1; then
  log "building the workload image $WORKLOAD_IMAGE from busybox"
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/www" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for c in sh sleep httpd cat echo ls mkdir wget true false env date; do ln -s busybox "$root/bin/$c"; done
  echo "hello from alacrity" >"$root/www/index.html"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$WORKLOAD_IMAGE" >/dev/null
  rm -rf "$root"
fi
# 5. The helper image of backup, restore and move jobs: busybox with every applet (tar, gzip,
#    sha256sum, find, cp, ...), as the busybox image of a registry has them.
if ! docker image inspect "$HELPER_IMAGE" >/dev/null 2>&1; then
  log "building the helper image $HELPER_IMAGE from busybox"
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for c in $(/bin/busybox --list); do [ "$c" = busybox ] || ln -s busybox "$root/bin/$c"; done
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$HELPER_IMAGE" >/dev/null
  rm -rf "$root"
fi
log "ready: Docker $(docker info --format '{{.ServerVersion}}'), Swarm active, images $WORKLOAD_IMAGE and $HELPER_IMAGE"
