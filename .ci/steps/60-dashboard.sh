#!/usr/bin/env bash
# The live dashboard in a real terminal: scripts/check-dashboard.sh drives
# the built binary in tmux (about 25 s). Installs tmux when missing.
set -euo pipefail
if ! command -v tmux >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq tmux >/dev/null
fi
bin=$(mktemp -d)/refreshstorm
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/refreshstorm
BIN=$bin scripts/check-dashboard.sh
