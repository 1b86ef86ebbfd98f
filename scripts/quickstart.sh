#!/usr/bin/env bash
# Quick start on a Debian/Ubuntu host: sets up whatever is missing (Docker engine, a single-node
# Swarm, the local example image, the browser of the web view's tests, the Node.js dependencies,
# the build) and runs AlaCrity on
# examples/apps in the foreground. Stop it with Ctrl-C; the apps keep running (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "AlaCrity needs Node.js >= 20.19 (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install it from https://nodejs.org or your distribution's backports, then run this again." >&2
  exit 1
fi

bash scripts/setup-swarm.sh
# `npm test` drives the web view in Debian's chromium.
bash scripts/install-browser.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent

# The host-path example needs its directory on the node (AlaCrity never creates host paths).
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO mkdir -p /srv/alacrity-examples/uploads

ADDR="${ALACRITY_LISTEN:-127.0.0.1:9464}"
cat >&2 <<MSG

AlaCrity is starting on examples/apps (Ctrl-C stops the controller; the apps keep running).
  view:     http://$ADDR/ in a browser (read-only; ssh -L 9464:127.0.0.1:9464 HOST from afar)
  status:   node dist/cli/main.js status --dir examples/apps    (or: curl http://$ADDR/status)
  metrics:  curl http://$ADDR/metrics
  the web example answers on http://127.0.0.1:18080/ once its tasks run

MSG
exec node dist/cli/main.js run --dir examples/apps --listen "$ADDR"
