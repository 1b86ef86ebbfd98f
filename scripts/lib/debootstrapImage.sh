# Shared by the scripts that build a test image from a Debian root file system (sourced, not run):
# the content-hash check that reuses an image already built, the lock that lets one of several
# runs build while the others wait, and the debootstrap root file system cached as a tarball.
# The sourcing script sets SUDO, TAG, HASH_LABEL, SUITE, MIRROR, PACKAGES, CACHE_DIR and a log()
# function first.

# The hash of a debootstrap recipe: what the root file system is made of.
rootfs_hash() { printf '%s\n%s\n%s\n' "$SUITE" "$PACKAGES" "$MIRROR" | sha256sum | cut -c1-12; }

# The text the image's content hash is taken over: the building script and this file.
recipe_text() { cat "$1" "${BASH_SOURCE[0]}"; }

current_hash() { docker image inspect --format "{{index .Config.Labels \"$HASH_LABEL\"}}" "$TAG" 2>/dev/null || true; }

# reuse_or_lock HASH LOCK_NAME TIMEOUT_S WHAT: exits the script with the tag printed when the image
# at TAG already has HASH (also when another run built it while this one waited for LOCK_NAME);
# otherwise returns holding the lock.
reuse_or_lock() {
  local hash="$1" lock="$2" timeout="$3" what="$4"
  if [ "$(current_hash)" = "$hash" ]; then
    log "reusing $TAG${what:+ ($what)}"
    printf '%s\n' "$TAG"
    exit 0
  fi
  exec 9>"${TMPDIR:-/tmp}/$lock.lock"
  flock -w "$timeout" 9 || { log "timed out waiting for another build of $TAG"; exit 1; }
  if [ "$(current_hash)" = "$hash" ]; then
    log "reusing $TAG (built meanwhile by another run)"
    printf '%s\n' "$TAG"
    exit 0
  fi
}

# debootstrap_root ROOT NAME ABOUT: fills ROOT with the root file system of SUITE and PACKAGES,
# from the cached tarball CACHE_DIR/NAME-rootfs-SUITE-HASH.tar if there is one, else by
# debootstrap (ABOUT says how long that takes), slimmed and then cached.
debootstrap_root() {
  local root="$1" name="$2" about="$3"
  local tar="$CACHE_DIR/$name-rootfs-$SUITE-$(rootfs_hash).tar"
  if [ -f "$tar" ]; then
    log "unpacking the cached root file system $tar"
    $SUDO tar -C "$root" -xf "$tar"
    return
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq debootstrap >/dev/null 2>&1 || {
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq debootstrap >/dev/null
    }
  fi
  log "debootstrap $SUITE with $PACKAGES into $root ($about)"
  $SUDO debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >&2
  # Slim the file system: apt caches and docs are never used in an image (without
  # /usr/share/locale programs speak English, as tests expect anyway).
  $SUDO rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
  $SUDO mkdir -p "$CACHE_DIR"
  $SUDO tar -C "$root" -cf "$tar.tmp.$$" . && $SUDO mv "$tar.tmp.$$" "$tar"
  log "cached the root file system as $tar"
}
