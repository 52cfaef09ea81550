#!/usr/bin/env bash
# Every shell script in the repository (CI steps, bench, scripts, deploy)
# through shellcheck at warning level. Installs shellcheck when missing.
set -euo pipefail
if ! command -v shellcheck >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq shellcheck >/dev/null
fi
mapfile -t files < <(git ls-files '*.sh')
shellcheck -S warning "${files[@]}"
echo "shellcheck: ${#files[@]} scripts ok"
