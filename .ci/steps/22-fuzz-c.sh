#!/usr/bin/env bash
# Fuzz smoke run of the policy grammar shared by --policy and --server-policy
# (about 3 s): any panic, multi-line error or failed round trip fails CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 3s ./internal/policyspec
