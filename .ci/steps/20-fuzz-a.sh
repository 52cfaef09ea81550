#!/usr/bin/env bash
# Fuzz smoke runs (a few seconds each, FUZZTIME to change) of the input
# decoders: the scenario loader, the credentials and cookies CSV readers,
# and every file merge reads. Seeds: f.Add and testdata/fuzz/<Target>.
# One target per invocation (go test -fuzz takes one). On a loaded machine
# the fuzz engine can give up with "context deadline exceeded" before any
# input failed; that is retried once, while a real failure (a failing
# input written to testdata/fuzz) fails the step at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzz() {
	local pkg=$1 target=$2 log
	log=$(mktemp)
	for attempt in 1 2; do
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-3s}" "$pkg" >"$log" 2>&1; then
			echo "ok   $pkg $target"
			rm -f "$log"
			return 0
		fi
		if grep -q 'Failing input written' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
			break
		fi
		echo "retry $pkg $target: the fuzz engine timed out without a failing input (attempt $attempt)"
	done
	cat "$log"
	rm -f "$log"
	echo "FAIL $pkg $target"
	return 1
}
fuzz ./cmd/refreshstorm FuzzLoadScenario
fuzz ./targets FuzzParseCredentials
fuzz ./targets FuzzParseImported
for t in Summary Histograms Timeline Events Hlog Results; do
	fuzz ./results "FuzzMerge$t"
done
