#!/usr/bin/env bash
# The Kubernetes manifests decode strictly into the k8s.io/api types and
# keep their safety and per-run properties (its own module, so k8s.io/api
# stays out of refreshstorm's dependencies). TestKubernetesManifestsRunTwice
# in cmd/refreshstorm runs their exact args, in the main test run.
set -euo pipefail
cd deploy/kubernetes/check
go vet ./...
go test -count=1 ./...
bash -n ../run-nightly.sh
