#!/usr/bin/env bash
# Installs Debian's docker-compose package when no docker-compose command is
# on PATH. `make test` uses it only to validate docker-compose.yml, which
# needs no Docker engine. Installing requires root and apt-get.
set -euo pipefail

if command -v docker-compose >/dev/null; then
	exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
	echo "install-docker-compose: error: docker-compose not found, and installing it" \
		"needs root and apt-get. Install docker-compose, then run make again." >&2
	exit 1
fi

echo "install-docker-compose: installing Debian's docker-compose package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
