#!/usr/bin/env bash
# Builds the local PostgreSQL 15 image `alacrity-test/postgres:15` (override the tag with
# $ALACRITY_POSTGRES_IMAGE) for tests that need a real database, e.g. to back up and restore one:
# a test that claims "a database keeps its data" is more convincing with PostgreSQL than with a
# shell loop. No registry is reachable here, so `postgres:15` cannot be pulled; the image is a
# Debian bookworm root file system made by debootstrap with Debian's postgresql-15 packages,
# imported with `docker import`.
# It behaves like the official image where tests rely on it: PGDATA=/var/lib/postgresql/data is
# initialised on first start (POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD and
# /docker-entrypoint-initdb.d/*.sql|*.sh are honoured), a data directory that holds a cluster is
# reused as it is, and the server runs in the foreground as the user `postgres`. Unlike the
# official image it trusts every connection, local or over TCP, without a password: it is for
# tests only. psql, pg_isready, pg_dump etc. are on PATH (/usr/lib/postgresql/15/bin).
# Stopping: the official image has STOPSIGNAL SIGINT (fast shutdown: sessions are ended, open
# transactions rolled back, then a checkpoint), and `docker import` cannot set STOPSIGNAL, so the
# entry point turns SIGTERM into SIGINT itself. With PostgreSQL's default for SIGTERM (smart
# shutdown) `docker stop` would wait for every client to disconnect, until Docker kills it.
#
# Cached by content: the image carries a label with a hash of this script (entry point included)
# and of the root file system's recipe, and is rebuilt only when that hash changes. The
# debootstrap root file system (the slow part, ~2 min and ~480 MB of downloads) is cached as a
# tarball under /var/cache/alacrity/.
# Prints the tag on stdout (logs go to stderr). Debian/Ubuntu, as root (or with sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
TAG="${ALACRITY_POSTGRES_IMAGE:-alacrity-test/postgres:15}"
SUITE="bookworm"
MIRROR="${ALACRITY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="postgresql-15,postgresql-client-15"
PG_MAJOR="15"
CACHE_DIR="${ALACRITY_CACHE_DIR:-/var/cache/alacrity}"
HASH_LABEL="alacrity.test.content-hash"

log() { printf '[build-postgres-image] %s\n' "$*" >&2; }

# The image's entry point, modelled on the official image's docker-entrypoint.sh. bash stays PID 1
# while the server runs, only to pass signals on: SIGTERM and SIGINT become SIGINT (fast
# shutdown), SIGQUIT stays SIGQUIT (immediate shutdown). Its exit status is the server's.
read -r -d '' ENTRYPOINT <<'EOF' || true
#!/bin/bash
set -euo pipefail
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

log() { printf 'alacrity-postgres-entrypoint: %s\n' "$*" >&2; }

# `docker run IMAGE -c fsync=off` means `postgres -c fsync=off`; any other command (psql, bash...)
# runs as it is.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" != "postgres" ]; then exec "$@"; fi
shift

# A command prefix, not a function: run in the background, a function would be a forked bash
# between this one and the server, and background subshells ignore SIGINT.
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  as_postgres=(env HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups)
fi
as_postgres() { "${as_postgres[@]}" "$@"; }

# Set before a first initialisation too: a stop requested meanwhile lets it complete, then the
# server is not started (PID 1 without a handler would ignore it, and Docker would kill it later).
pid=""
stop_signal=""
forward() { stop_signal="$1"; [ -z "$pid" ] || kill -"$1" "$pid" 2>/dev/null || true; }
trap 'forward INT' TERM INT
trap 'forward QUIT' QUIT

mkdir -p "$PGDATA" /var/run/postgresql
if [ "$(id -u)" -eq 0 ]; then
  # Only what is not postgres's yet, so a restart on a large data directory stays quick.
  find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
fi
chmod 0700 "$PGDATA" 2>/dev/null || true
chmod 3777 /var/run/postgresql 2>/dev/null || true

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  log "no cluster in $PGDATA: initialising one (user $POSTGRES_USER, trust authentication)"
  as_postgres initdb --username="$POSTGRES_USER" --auth=trust --encoding=UTF8 >&2
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n' >>"$PGDATA/pg_hba.conf"
  initdb_files=()
  if [ -d /docker-entrypoint-initdb.d ]; then
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in *.sql | *.sh) initdb_files+=("$f") ;; esac
    done
  fi
  if [ "$POSTGRES_DB" != "postgres" ] || [ -n "${POSTGRES_PASSWORD:-}" ] || [ "${#initdb_files[@]}" -gt 0 ]; then
    # A server on the unix socket only, so nobody connects before the set-up is done.
    as_postgres pg_ctl --silent --wait --options="-c listen_addresses=''" start >&2
    run_psql() { as_postgres psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username="$POSTGRES_USER" "$@"; }
    if [ "$POSTGRES_DB" != "postgres" ]; then
      log "creating the database $POSTGRES_DB"
      run_psql --dbname=postgres -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
      # Unused while every connection is trusted, but set as the official image does.
      run_psql --dbname=postgres -v user="$POSTGRES_USER" -v pw="$POSTGRES_PASSWORD" \
        <<<'ALTER USER :"user" WITH PASSWORD :'"'"'pw'"'"';'
    fi
    for f in "${initdb_files[@]}"; do
      log "running $f"
      case "$f" in
        *.sql) run_psql --dbname="$POSTGRES_DB" -f "$f" ;;
        *.sh) as_postgres env PGUSER="$POSTGRES_USER" PGDATABASE="$POSTGRES_DB" bash "$f" ;;
      esac
    done
    as_postgres pg_ctl --silent --wait --mode=fast stop >&2
  fi
  log "initialised $PGDATA"
else
  log "reusing the cluster in $PGDATA (PostgreSQL $(cat "$PGDATA/PG_VERSION"))"
fi

if [ -n "$stop_signal" ]; then
  log "asked to stop before the server started"
  exit 0
fi
"${as_postgres[@]}" postgres "$@" &
pid=$!
set +e
# A trapped signal interrupts `wait`; wait again until the server has exited. bash remembers the
# status of a child it has reaped, so the last `wait` gives the server's own exit status.
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
wait "$pid"
EOF

# shellcheck source=lib/debootstrapImage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/debootstrapImage.sh"
CONTENT_HASH="$(printf '%s\n%s\n' "$(recipe_text "${BASH_SOURCE[0]}")" "$(rootfs_hash)" | sha256sum | cut -c1-12)"
reuse_or_lock "$CONTENT_HASH" alacrity-build-postgres-image 900 ""

root="$(mktemp -d /tmp/alacrity-postgres-root.XXXXXX)"
trap '$SUDO rm -rf "$root"' EXIT
debootstrap_root "$root" postgres "about 2 min"

PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
[ -x "$root$PG_BIN/postgres" ] || { log "no $PG_BIN/postgres in the root file system"; exit 1; }
$SUDO chroot "$root" getent passwd postgres >/dev/null || { log "no user postgres in the root file system"; exit 1; }
$SUDO chroot "$root" setpriv --version >/dev/null || { log "no setpriv in the root file system"; exit 1; }
# Debian's own cluster layout (/etc/postgresql/15/main) is not used: the cluster lives in PGDATA.
$SUDO rm -rf "$root/etc/postgresql/$PG_MAJOR/main" "$root/var/lib/postgresql/$PG_MAJOR/main"
# JIT compilation (llvmjit.so and the 105 MB libLLVM it alone loads, with libz3) is a third of the
# image and no test needs it; without its provider library PostgreSQL just runs without JIT.
$SUDO rm -rf "$root/usr/lib/postgresql/$PG_MAJOR/lib/llvmjit.so" "$root/usr/lib/postgresql/$PG_MAJOR/lib/llvmjit_types.bc" \
  "$root/usr/lib/postgresql/$PG_MAJOR/lib/bitcode" "$root"/usr/lib/x86_64-linux-gnu/libLLVM-14.so* \
  "$root"/usr/lib/x86_64-linux-gnu/libz3.so*
# Inside the chroot: /var/run is a symbolic link to /run, which from outside is this host's /run.
$SUDO chroot "$root" sh -ec '
  mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d
  chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
  chmod 0700 /var/lib/postgresql/data
  chmod 3777 /var/run/postgresql'
printf '%s\n' "$ENTRYPOINT" | $SUDO tee "$root/usr/local/bin/alacrity-postgres-entrypoint" >/dev/null
$SUDO chmod 0755 "$root/usr/local/bin/alacrity-postgres-entrypoint"
pg_version="$($SUDO chroot "$root" "$PG_BIN/postgres" --version)"

previous_id="$(docker image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)"
log "importing $TAG"
$SUDO tar -C "$root" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/local/bin/alacrity-postgres-entrypoint"]' \
  -c 'CMD ["postgres"]' \
  -c "ENV PATH=$PG_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  -c 'ENV LANG=C.UTF-8' \
  -c "ENV PG_MAJOR=$PG_MAJOR" \
  -c 'ENV PGDATA=/var/lib/postgresql/data' \
  -c 'EXPOSE 5432' \
  -c "LABEL $HASH_LABEL=$CONTENT_HASH" \
  -c 'LABEL alacrity.test.image=postgres' \
  - "$TAG" >/dev/null
log "built $TAG ($pg_version)"
# The version it replaces is ~500 MB; one still used by a container stays.
if [ -n "$previous_id" ] && [ "$previous_id" != "$(docker image inspect --format '{{.Id}}' "$TAG")" ]; then
  docker image rm "$previous_id" >/dev/null 2>&1 || true
fi
printf '%s\n' "$TAG"
