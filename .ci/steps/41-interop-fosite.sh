#!/usr/bin/env bash
# refreshstorm's oauth2 profile against a token server built on
# github.com/ory/fosite (its own module, so `go test ./...` of the main
# module does not pull fosite in).
set -eu
cd "$(dirname "$0")/../../interop/fosite"
go vet ./...
go test -race -count=1 ./...
