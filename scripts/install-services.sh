#!/usr/bin/env bash
# Installs the real services the test suite runs against (Redis, Prometheus with promtool) from
# Debian's packages when they are missing. Neither package starts a daemon: the tests start their
# own instances on loopback ports and stop them afterwards.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing ${missing[*]} from Debian's packages" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends redis-server prometheus >/dev/null
# The package may start a service where systemd runs; the tests want the port range free.
$SUDO systemctl disable --now prometheus redis-server >/dev/null 2>&1 || true
