#!/usr/bin/env bash
# The cluster lab's cluster: `cluster.sh start` brings up, inside a network namespace of its own
# (cwt-cluster-lab: nothing listens on the host's network), a real control plane (etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler), kube-proxy, and two nodes, each a real
# kubelet with its own containerd and runc (two nodes, so that a drain has somewhere to go).
# `cluster.sh stop` stops everything it started and removes the namespace. The environment file
# it writes ($run/env) names the kubectl and helm wrappers that the tests use.
#
# Needs root; setup.sh installs and builds what it uses (cached in $CLUSTER_LAB_CACHE).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CLUSTER_LAB_CACHE:-/var/cache/cdk-web-tiers-cluster-lab}
run=${CLUSTER_LAB_RUN:-/var/lib/cdk-web-tiers-cluster-lab}
netns=cwt-cluster-lab
nodes=(lab-node-a lab-node-b)
# One zone: the chart spreads pods over zones with DoNotSchedule; on EKS a drained zone gets a new
# node from Auto Mode, in the lab the second node of the same zone takes the pods.
zones=(lab-zone-a lab-zone-a)
host_ip=10.200.0.1
log() { echo "[cluster-lab] $*" >&2; }

stop() {
  if [ -d "$run/pids" ]; then
    for f in "$run"/pids/*; do
      [ -f "$f" ] || continue
      pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
    done
    sleep 2
    for f in "$run"/pids/*; do
      [ -f "$f" ] || continue
      pid=$(cat "$f"); kill -9 "$pid" 2>/dev/null || true; rm -f "$f"
    done
  fi
  # Containers the kubelets left (their shims: they outlive containerd) and their mounts.
  for p in $(pgrep -f "containerd-shim-runc-v2 -namespace k8s.io -id [0-9a-f]* -address $run/" || true); do kill -9 "$p" 2>/dev/null || true; done
  if [ -d "$run" ]; then
    { grep " $run/" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  # The containers' processes (killing a shim does not kill its container), then the pods'
  # cgroups (cgroupfs driver, under each v1 hierarchy's kubepods-lab-*).
  for p in $(find /sys/fs/cgroup/pids/kubepods-lab-* -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u); do
    kill -9 "$p" 2>/dev/null || true
  done
  sleep 1
  for d in /sys/fs/cgroup/*/kubepods-lab-*; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  ip netns del "$netns" 2>/dev/null || true
  rm -rf "$run"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { log "timed out waiting for $what"; return 1; }
    sleep 1
  done
}

certs() {
  local d=$run/pki; mkdir -p "$d"; cd "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=cluster-lab-ca 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -keyout front-proxy-ca.key -out front-proxy-ca.crt -days 2 -subj /CN=front-proxy-ca 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  sign() { # sign NAME SUBJECT CA [SAN]
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    if [ -n "${4:-}" ]; then printf 'subjectAltName=%s\n' "$4" > "$1.ext"; else : > "$1.ext"; fi
    openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext" 2>/dev/null
  }
  sign apiserver /CN=kube-apiserver ca "IP:$host_ip,IP:10.96.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" ca
  sign front-proxy-client /CN=front-proxy-client front-proxy-ca
  sign admin "/O=system:masters/CN=cluster-lab-admin" ca
  sign controller-manager /CN=system:kube-controller-manager ca
  sign scheduler /CN=system:kube-scheduler ca
  sign kube-proxy /CN=system:kube-proxy ca
  for n in "${nodes[@]}"; do
    sign "$n" "/O=system:nodes/CN=system:node:$n" ca
    sign "$n-serving" "/CN=$n" ca "IP:$host_ip,DNS:$n"
  done
  cd - >/dev/null
}

kubeconfig() { # kubeconfig NAME CERT
  cat > "$run/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "https://$host_ip:6443", certificate-authority: "$run/pki/ca.crt"}}]
users: [{name: u, user: {client-certificate: "$run/pki/$2.crt", client-key: "$run/pki/$2.key"}}]
contexts: [{name: lab, context: {cluster: lab, user: u}}]
current-context: lab
EOF
}

bg() { # bg NAME COMMAND... : runs in the lab's network namespace, logs to $run/logs/NAME.log
  local name=$1; shift
  nsenter --net="/run/netns/$netns" "$@" > "$run/logs/$name.log" 2>&1 &
  echo $! > "$run/pids/$name"
}

start() {
  stop
  local bin; bin=$(cat "$cache/current-bin")
  local images; images=$(cat "$cache/current-images")
  mkdir -p "$run"/{pids,logs,etcd}
  ip netns add "$netns"
  nsenter --net="/run/netns/$netns" sh -c "ip link set lo up && ip link add lab0 type bridge && ip addr add $host_ip/32 dev lab0 && ip link set lab0 up && sysctl -qw net.ipv4.ip_forward=1"
  certs
  for c in admin controller-manager scheduler kube-proxy "${nodes[@]}"; do kubeconfig "$c" "$c"; done

  bg etcd /usr/bin/etcd --name lab --data-dir "$run/etcd" --listen-client-urls http://127.0.0.1:2379 \
    --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380
  wait_for 60 etcd nsenter --net="/run/netns/$netns" curl -fsS http://127.0.0.1:2379/health

  bg kube-apiserver "$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 --advertise-address=$host_ip \
    --bind-address=0.0.0.0 --secure-port=6443 --service-cluster-ip-range=10.96.0.0/16 \
    --client-ca-file="$run/pki/ca.crt" --tls-cert-file="$run/pki/apiserver.crt" --tls-private-key-file="$run/pki/apiserver.key" \
    --kubelet-client-certificate="$run/pki/apiserver-kubelet-client.crt" --kubelet-client-key="$run/pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$run/pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$run/pki/sa.pub" --service-account-signing-key-file="$run/pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --requestheader-client-ca-file="$run/pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group --requestheader-username-headers=X-Remote-User \
    --proxy-client-cert-file="$run/pki/front-proxy-client.crt" --proxy-client-key-file="$run/pki/front-proxy-client.key" \
    --enable-aggregator-routing=true --allow-privileged=true
  local kc="$bin/kubectl --kubeconfig $run/admin.kubeconfig"
  wait_for 120 kube-apiserver nsenter --net="/run/netns/$netns" $kc get --raw /readyz

  bg kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$run/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$run/controller-manager.kubeconfig" --authorization-kubeconfig="$run/controller-manager.kubeconfig" \
    --service-account-private-key-file="$run/pki/sa.key" --root-ca-file="$run/pki/ca.crt" \
    --cluster-signing-cert-file="$run/pki/ca.crt" --cluster-signing-key-file="$run/pki/ca.key" \
    --use-service-account-credentials=true --controllers='*,-nodeipam' --leader-elect=false \
    --horizontal-pod-autoscaler-sync-period=5s --bind-address=127.0.0.1
  bg kube-scheduler "$bin/kube-scheduler" --kubeconfig="$run/scheduler.kubeconfig" \
    --authentication-kubeconfig="$run/scheduler.kubeconfig" --authorization-kubeconfig="$run/scheduler.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1
  bg kube-proxy "$bin/kube-proxy" --kubeconfig="$run/kube-proxy.kubeconfig" --proxy-mode=iptables \
    --cluster-cidr=10.244.0.0/16 --conntrack-max-per-core=0 --hostname-override=lab-proxy \
    --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256

  local i=0
  for n in "${nodes[@]}"; do
    node_run="$run/$n"; mkdir -p "$node_run"/{containerd,state,cni,kubelet,pods-log}
    cat > "$node_run/cni/10-lab.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "lab-$i", "plugins": [
  {"type": "bridge", "bridge": "cni$i", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$node_run/ipam", "ranges": [[{"subnet": "10.244.$i.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
    cat > "$node_run/containerd.toml" <<EOF
version = 2
root = "$node_run/containerd"
state = "$node_run/state"
[grpc]
  address = "$node_run/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # The lab runs in a container that may not lower oom_score_adj (runc would fail every sandbox).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node_run/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
EOF
    bg "containerd-$n" /usr/bin/containerd --config "$node_run/containerd.toml"
    wait_for 60 "containerd of $n" test -S "$node_run/containerd.sock"
    for tar in "$images"/*.tar; do
      ctr --address "$node_run/containerd.sock" -n k8s.io images import "$tar" >/dev/null
    done
    cat > "$node_run/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $host_ip
port: $((10250 + i * 10))
healthzPort: $((10248 + i * 10))
readOnlyPort: 0
cgroupDriver: cgroupfs
cgroupRoot: /kubepods-lab-$n
cgroupsPerQOS: true
enforceNodeAllocatable: []
failSwapOn: false
failCgroupV1: false
containerRuntimeEndpoint: unix://$node_run/containerd.sock
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$run/pki/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$run/pki/$n-serving.crt"
tlsPrivateKeyFile: "$run/pki/$n-serving.key"
podLogsDir: "$node_run/pods-log"
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
maxPods: 40
resolvConf: ""
localStorageCapacityIsolation: false
EOF
    # The kubelet's cgroup root must exist in every v1 hierarchy (cpuset: with the parent's cpus and mems).
    for h in /sys/fs/cgroup/*/; do
      [ -f "$h/cgroup.procs" ] || continue
      mkdir -p "$h/kubepods-lab-$n"
      if [ -f "$h/cpuset.cpus" ]; then cat "$h/cpuset.cpus" > "$h/kubepods-lab-$n/cpuset.cpus"; cat "$h/cpuset.mems" > "$h/kubepods-lab-$n/cpuset.mems"; fi
    done
    bg "kubelet-$n" "$bin/kubelet" --config="$node_run/kubelet.yaml" --kubeconfig="$run/$n.kubeconfig" \
      --root-dir="$node_run/kubelet" --hostname-override="$n" --node-ip=$host_ip \
      --node-labels="topology.kubernetes.io/zone=${zones[$i]},karpenter.sh/capacity-type=on-demand"
    i=$((i + 1))
  done
  for n in "${nodes[@]}"; do
    wait_for 180 "node $n Ready" nsenter --net="/run/netns/$netns" sh -c "$kc get node $n -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  done

  # Wrappers for the tests (they run in the host's network namespace).
  mkdir -p "$run/bin"
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s --kubeconfig %s "$@"\n' "$netns" "$bin/kubectl" "$run/admin.kubeconfig" > "$run/bin/kubectl"
  printf '#!/bin/sh\nexport HELM_CACHE_HOME=%s HELM_CONFIG_HOME=%s HELM_DATA_HOME=%s\nexec nsenter --net=/run/netns/%s %s --kubeconfig %s "$@"\n' \
    "$run/helm/cache" "$run/helm/config" "$run/helm/data" "$netns" "$(cat "$cache/current-helm")" "$run/admin.kubeconfig" > "$run/bin/helm"
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s "$@"\n' "$netns" > "$run/bin/in-lab"
  chmod +x "$run/bin/"*
  # What only AWS provides, as thin stand-ins: the TargetGroupBinding CRD (no controller), and
  # metrics-server as the upstream manifests deploy it (the EKS add-on packages the same).
  "$run/bin/kubectl" apply -f "$here/manifests/" >/dev/null
  wait_for 180 "metrics API" "$run/bin/kubectl" get --raw /apis/metrics.k8s.io/v1beta1/nodes
  cat > "$run/env" <<EOF
KUBECTL=$run/bin/kubectl
HELM=$run/bin/helm
IN_LAB=$run/bin/in-lab
HOST_IP=$host_ip
EOF
  log "up: ${nodes[*]} ($run/env)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: cluster.sh start|stop" >&2; exit 2 ;;
esac
