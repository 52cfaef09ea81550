#!/bin/sh
# Smoke-runs the parser fuzz targets of the secrets/hostile-target work
# for a few seconds each (seed corpus in testdata/fuzz and in f.Add).
set -eu
run() { go test -run '^$' -fuzz "^$2\$" -fuzztime "${FUZZTIME:-3s}" "$1"; }
run ./targets FuzzParseSetCookie
run ./targets FuzzParseRefresh
run ./results FuzzParseThreshold
run ./attack FuzzParseChaos
run ./internal/scrub FuzzText
