#!/usr/bin/env bash
# Builds the local Node.js base image `alacrity-test/node:20` that the tests build the project's
# Dockerfile on (`--build-arg NODE_IMAGE=alacrity-test/node:20`). No registry is reachable here,
# so `node:20-bookworm-slim` cannot be pulled, and Debian bookworm's own nodejs is v18, too old
# (the package needs Node >= 20.19). The image is therefore a Debian root file system made by
# debootstrap, plus this machine's own Node binary and npm, imported with `docker import`.
# It mirrors the layout of the official image where the Dockerfile relies on it: node and npm on
# PATH under /usr/local, and a non-root user `node` with uid and gid 1000.
#
# Cached by content: the image carries a label with a hash of this script and of the Node and
# npm it contains, and is rebuilt only when that hash changes. The debootstrap root file system
# (the slow part, ~30 s) is cached as a tarball under /var/cache/alacrity/.
# Prints the tag on stdout (logs go to stderr). Debian/Ubuntu, as root (or with sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
TAG="${ALACRITY_NODE_BASE_IMAGE:-alacrity-test/node:20}"
SUITE="bookworm"
MIRROR="${ALACRITY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="ca-certificates"
CACHE_DIR="${ALACRITY_CACHE_DIR:-/var/cache/alacrity}"
HASH_LABEL="alacrity.test.content-hash"

log() { printf '[build-node-base-image] %s\n' "$*" >&2; }

NODE_BIN="$(command -v node)" || { log "no node on PATH: install Node.js >= 20.19 first"; exit 1; }
NODE_BIN="$(readlink -f "$NODE_BIN")"
NODE_VERSION="$("$NODE_BIN" -v)"
case "$NODE_VERSION" in
  v2[0-9].* | v[3-9][0-9].*) ;;
  *) log "node $NODE_VERSION is too old for AlaCrity (needs >= 20.19)"; exit 1 ;;
esac
# npm lives next to node's prefix: /usr/lib/node_modules (Debian-style packages such as
# NodeSource's) or /usr/local/lib/node_modules (the official tarball).
NPM_DIR=""
for candidate in "$(dirname "$NODE_BIN")/../lib/node_modules/npm" /usr/local/lib/node_modules/npm /usr/lib/node_modules/npm; do
  if [ -f "$candidate/package.json" ]; then NPM_DIR="$(readlink -f "$candidate")"; break; fi
done
[ -n "$NPM_DIR" ] || { log "npm not found next to $NODE_BIN"; exit 1; }
NPM_VERSION="$("$NODE_BIN" -p "require('$NPM_DIR/package.json').version")"

# shellcheck source=lib/debootstrapImage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/debootstrapImage.sh"
CONTENT_HASH="$(printf '%s\n%s\n%s\n%s\n' "$(recipe_text "${BASH_SOURCE[0]}")" "$(rootfs_hash)" "$NODE_VERSION" "$NPM_VERSION" |
  sha256sum | cut -c1-12)"
reuse_or_lock "$CONTENT_HASH" alacrity-build-node-base-image 600 "node $NODE_VERSION, npm $NPM_VERSION"

root="$(mktemp -d /tmp/alacrity-node-base-root.XXXXXX)"
trap '$SUDO rm -rf "$root"' EXIT
debootstrap_root "$root" node-base "about 30 s"

log "adding node $NODE_VERSION and npm $NPM_VERSION"
$SUDO install -D -m 0755 "$NODE_BIN" "$root/usr/local/bin/node"
# The host's binary may carry debug sections (~half its size) that a runtime never needs.
if command -v strip >/dev/null 2>&1; then $SUDO strip --strip-debug "$root/usr/local/bin/node"; fi
$SUDO mkdir -p "$root/usr/local/lib/node_modules"
$SUDO cp -a "$NPM_DIR" "$root/usr/local/lib/node_modules/npm"
$SUDO ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
$SUDO ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# The binary is dynamically linked: copy any library it needs that the root file system lacks
# (minbase has libc, libstdc++ and libgcc, so normally nothing), then prove it runs there.
while read -r lib; do
  [ -n "$lib" ] || continue
  if [ ! -e "$root$lib" ]; then
    log "copying $lib from this host (missing in the root file system)"
    $SUDO install -D -m 0644 "$(readlink -f "$lib")" "$root$lib"
  fi
done < <(ldd "$NODE_BIN" | awk '/=> \// { print $3 } /^\s*\/[^ ]+ \(/ { print $1 }')
in_root_version="$($SUDO chroot "$root" /usr/local/bin/node -v)"
[ "$in_root_version" = "$NODE_VERSION" ] || { log "node in the image says '$in_root_version'"; exit 1; }
$SUDO chroot "$root" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js -v >/dev/null

# The same unprivileged user the official image has.
if ! $SUDO chroot "$root" getent passwd node >/dev/null; then
  $SUDO chroot "$root" groupadd --gid 1000 node
  $SUDO chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
fi

log "importing $TAG"
$SUDO tar -C "$root" -c . | docker import \
  -c 'CMD ["node"]' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c "ENV NODE_VERSION=${NODE_VERSION#v}" \
  -c "LABEL $HASH_LABEL=$CONTENT_HASH" \
  -c 'LABEL alacrity.test.image=node-base' \
  - "$TAG" >/dev/null
log "built $TAG (node $NODE_VERSION, npm $NPM_VERSION)"
printf '%s\n' "$TAG"
