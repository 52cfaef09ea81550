#!/usr/bin/env bash
# refreshstorm's oauth2 profile against a token server built on
# github.com/ory/fosite (its own module, so `go test ./...` of the main
# module does not pull fosite in).
#
# Without -race: the race detector flags fosite's own in-memory store
# (storage.MemoryStore, an example store) when two refreshes of one token
# race, which is also why the concurrent run sees fail_orphan_child. Our
# side of the wire is race-tested in the main module.
set -eu
cd "$(dirname "$0")/../../interop/fosite"
go vet ./...
go test -count=1 ./...
