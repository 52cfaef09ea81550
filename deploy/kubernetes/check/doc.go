// Package check validates the Kubernetes manifests in the directory above
// against the real API types. It is its own module, so that k8s.io/api
// stays out of refreshstorm's dependencies; CI runs it as
// .ci/steps/30-kubernetes.sh.
package check
