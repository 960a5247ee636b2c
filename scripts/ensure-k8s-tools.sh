#!/usr/bin/env bash
# Makes sure the Kubernetes tools the chart tests run for real are installed:
#   helm 3.22.0           built from the Go module proxy into $(go env GOPATH)/bin (cold: several minutes on 2 cores)
#   kubernetes-validate   from PyPI into .venv-k8s (ships the Kubernetes JSON schemas: validates offline)
# Prints the two paths (helm, kubernetes-validate) on stdout, one per line. Idempotent: cached runs take < 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
HELM_VERSION=v3.22.0
KV_VERSION=1.37.0
log() { echo "$@" >&2; }

# A helm built by `go install` reports only major.minor; the module version is in its build info.
is_wanted_helm() { [ -x "$1" ] && go version -m "$1" 2>/dev/null | grep -qE "^\s+mod\s+helm.sh/helm/v3\s+${HELM_VERSION}\s"; }
command -v go >/dev/null || { log "Go is needed to build helm ($HELM_VERSION): install Go 1.24+"; exit 1; }
helm_bin="$(go env GOPATH)/bin/helm"
if ! is_wanted_helm "$helm_bin"; then
  log "building helm $HELM_VERSION from the Go module proxy (about 5 minutes the first time on 2 cores)"
  go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2
fi

kv_bin=".venv-k8s/bin/kubernetes-validate"
if [ ! -x "$kv_bin" ]; then
  log "installing kubernetes-validate $KV_VERSION into .venv-k8s"
  python3 -m venv .venv-k8s >&2
  .venv-k8s/bin/pip install -q "kubernetes-validate==${KV_VERSION}" >&2
fi
echo "$helm_bin"
echo "$(pwd)/$kv_bin"
