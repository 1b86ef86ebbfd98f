#!/usr/bin/env bash
# Installs Debian's chromium for the web view's browser tests (driven headless by puppeteer-core,
# which downloads no browser). Idempotent; Debian/Ubuntu, as root (or with sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
printf '[setup] installing chromium (the web view tests drive it headless)\n' >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
