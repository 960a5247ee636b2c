#!/usr/bin/env bash
# Host setup of the cluster lab (idempotent; .ci/run and `npm run test:cluster` call it): Debian's
# containerd, runc, CNI plugins, etcd and busybox; the Kubernetes binaries and metrics-server built
# from the Go module proxy (build-kubernetes.sh); helm (scripts/ensure-k8s-tools.sh); the images
# (images/build.sh). Everything is cached in $CLUSTER_LAB_CACHE, keyed by versions and content, so
# a warm run takes seconds (9 s measured). Cold: 55 minutes measured on 2 busy cores, the Go build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CLUSTER_LAB_CACHE:-/var/cache/cdk-web-tiers-cluster-lab}
mkdir -p "$cache"
exec 9>"$cache/.setup-lock"
flock 9
[ "$(id -u)" = 0 ] || { echo "the cluster lab needs root (network namespace, cgroups, containerd)" >&2; exit 1; }
missing=()
for tool in containerd:containerd runc:runc ctr:containerd /usr/lib/cni/bridge:containernetworking-plugins \
            etcd:etcd-server iptables:iptables conntrack:conntrack /bin/busybox:busybox-static openssl:openssl \
            nsenter:util-linux ip:iproute2 curl:curl; do
  t=${tool%%:*}
  if [[ $t == /* ]]; then [ -e "$t" ] || missing+=("${tool#*:}"); else command -v "$t" >/dev/null 2>&1 || missing+=("${tool#*:}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
# Debian's package starts containerd as a service where it can; the lab runs its own instances.
bin=$(bash "$here/build-kubernetes.sh")
ms_bin=$(dirname "$bin")/../metrics-server-${METRICS_SERVER_VERSION:-v0.8.0}/bin
ms_bin=$(cd "$ms_bin" && pwd)
tools=$(bash "$here/../../../scripts/ensure-k8s-tools.sh")
helm=${tools%%$'\n'*}
images=$(bash "$here/images/build.sh" "$bin" "$ms_bin")
echo "$bin" > "$cache/current-bin"
echo "$images" > "$cache/current-images"
echo "$helm" > "$cache/current-helm"
echo "cluster lab ready: $bin, $images" >&2
