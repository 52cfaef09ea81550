#!/usr/bin/env bash
# Renders report.html in headless Chromium: charts drew, no console error,
# no network request (scripts/check-report.sh).
set -eu
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null; then
	apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
scripts/check-report.sh
