#!/usr/bin/env bash
# Builds the cluster lab's Kubernetes binaries (kube-apiserver, kube-controller-manager, kube-proxy,
# kube-scheduler, kubelet, kubectl) and metrics-server from the Go module proxy, once per version,
# into the lab cache (outside the repository). Idempotent: a warm cache returns at once.
#
# k8s.io/kubernetes is not meant to be required as a module: its go.mod replaces 31 staging modules
# with ./staging/src/k8s.io/X. A wrapper module requires it and replaces each staging module with its
# published twin k8s.io/X v0.<minor>.<patch>; all commands build in ONE `go build` so the shared
# packages compile once.
set -euo pipefail
version=${KUBERNETES_VERSION:-v1.34.4}
metrics_server_version=${METRICS_SERVER_VERSION:-v0.8.0}
cache=${CLUSTER_LAB_CACHE:-/var/cache/cdk-web-tiers-cluster-lab}
bin="$cache/kubernetes-$version/bin"
ms_bin="$cache/metrics-server-$metrics_server_version/bin"
cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
mkdir -p "$cache"
exec 8>"$cache/.build-lock"
flock 8
have_all() { for c in "${cmds[@]}"; do [ -x "$bin/$c" ] || return 1; done; }
if ! have_all; then
  work="$cache/kubernetes-$version/src"
  rm -rf "$work"; mkdir -p "$work" "$bin"
  cd "$work"
  staging_version="v0.${version#v1.}"
  gomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  {
    echo "module cdk-web-tiers.local/cluster-lab"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    grep -E '^\s*k8s.io/[a-z0-9-]+ => \./staging/src/k8s.io/' "$gomod" \
      | awk -v v="$staging_version" '{ print "replace " $1 " => " $1 " " v }'
  } > go.mod
  echo "$(grep -c '^replace' go.mod) staging modules replaced" >&2
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  go mod tidy >&2
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/client-go/pkg/version.gitVersion=$version"
  pkgs=(); for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/" "${pkgs[@]}" >&2
  cd "$cache"; rm -rf "$work"
fi
if ! [ -x "$ms_bin/metrics-server" ]; then
  mkdir -p "$ms_bin"
  CGO_ENABLED=0 GOBIN="$ms_bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/metrics-server/cmd/metrics-server@$metrics_server_version" >&2
fi
echo "$bin"
