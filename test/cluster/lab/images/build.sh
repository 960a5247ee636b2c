#!/usr/bin/env bash
# Builds the cluster lab's images from local root file systems (no registry is reachable), once
# per content: the pause image, the app (under the examples' image names), a root image and a
# named-user image for the negative tests, and thin stand-ins for the AWS CLI (secrets) and kubectl
# (pre-scale) images, and metrics-server. Prints the folder of the image tars.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CLUSTER_LAB_CACHE:-/var/cache/cdk-web-tiers-cluster-lab}
k8s_bin=$1 ms_bin=$2
key=$(cat "$here"/app.go "$here"/mkimage.py "$here"/build.sh "$k8s_bin/kubectl" "$ms_bin/metrics-server" /bin/busybox | sha256sum | cut -c1-16)
out="$cache/images-$key"
if [ -f "$out/.done" ]; then echo "$out"; exit 0; fi
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/app" "$here/app.go" >&2
mk() { python3 "$here/mkimage.py" "$@"; }
rootfs() { rm -rf "$work/root"; mkdir -p "$work/root/bin" "$work/root/tmp" "$work/root/etc"; chmod 1777 "$work/root/tmp"
  echo 'root:x:0:0:root:/:/bin/sh' > "$work/root/etc/passwd"; echo 'app:x:10001:10001:app:/:/bin/sh' >> "$work/root/etc/passwd"; }

rootfs; cp "$work/app" "$work/root/pause"
mk "$work/root" "$out/pause.tar" registry.k8s.io/pause:3.10 --user 65535 --entrypoint '["/pause"]'

rootfs; cp "$work/app" "$work/root/bin/app"
# The examples' images, as their Dockerfiles are usually written: no USER line (root); the chart's
# numeric runAsUser is what makes them run as non-root.
mk "$work/root" "$out/app.tar" public.ecr.aws/runtheworld/event-api:2.14.0,public.ecr.aws/buycycle/api:5.3.1,lab.local/root-app:1.0 --entrypoint '["/bin/app"]'
mk "$work/root" "$out/named-user.tar" lab.local/named-user-app:1.0 --user app --entrypoint '["/bin/app"]'

# Stand-in for public.ecr.aws/aws-cli/aws-cli: a shell and an `aws` that answers
# `secretsmanager get-secret-value` with a lab secret (Pod Identity credentials are AWS-only).
rootfs; cp /bin/busybox "$work/root/bin/busybox"; ln -s busybox "$work/root/bin/sh"
cat > "$work/root/bin/aws" <<'SH'
#!/bin/sh
[ "$1 $2" = "secretsmanager get-secret-value" ] || { echo "lab aws stand-in: only secretsmanager get-secret-value" >&2; exit 2; }
echo "{\"username\":\"lab\",\"password\":\"lab-password-for-$SECRET_ARN\"}"
SH
chmod 755 "$work/root/bin/aws"
mk "$work/root" "$out/aws-cli.tar" public.ecr.aws/aws-cli/aws-cli:2.27.50 --entrypoint '["/bin/aws"]'

rootfs; cp "$k8s_bin/kubectl" "$work/root/bin/kubectl"
mk "$work/root" "$out/kubectl.tar" registry.k8s.io/kubectl:v1.33.0 --entrypoint '["/bin/kubectl"]'

rootfs; cp "$ms_bin/metrics-server" "$work/root/metrics-server"
mk "$work/root" "$out/metrics-server.tar" lab.local/metrics-server:v0.8.0 --user 65534 --entrypoint '["/metrics-server"]'
touch "$out/.done"
echo "$out"
