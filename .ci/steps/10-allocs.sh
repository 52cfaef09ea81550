#!/usr/bin/env bash
# Allocation counts per request, without the race detector: under -race,
# sync.Pool drops items on purpose and the counts mean nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -count=1 -run '^TestAllocsPerRequest$' -v ./attack | grep -E 'allocations|^(ok|FAIL|---)'
