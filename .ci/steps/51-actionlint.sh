#!/usr/bin/env bash
# Lint the shipped GitHub Actions example with actionlint (from the Go proxy).
set -euo pipefail
bin="$(go env GOPATH)/bin/actionlint"
if [ ! -x "$bin" ]; then
	(cd /tmp && go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)
fi
"$bin" examples/github-actions/nightly.yml
echo "actionlint: examples/github-actions/nightly.yml ok"
