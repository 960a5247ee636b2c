#!/usr/bin/env bash
# Host setup of the instance lab (idempotent; .ci/run and the lab call it): the tools it needs,
# moto in a venv outside the repository, the git server's account, host key and deploy key, and
# the root file system (rootfs.sh, built meanwhile: both mostly wait on the network).
set -euo pipefail
cache=${LAB_CACHE:-/var/cache/cdk-web-tiers-lab}
mkdir -p "$cache"
exec 9>"$cache/.setup-lock"
flock 9
missing=()
for tool in debootstrap:debootstrap systemd-nspawn:systemd-container sshd:openssh-server redis-server:redis-server \
            openssl:openssl git:git python3:python3 nsenter:util-linux ip:iproute2; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
  else
    echo "the instance lab needs: ${missing[*]} (and root)" >&2; exit 1
  fi
fi
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/rootfs.sh" > /dev/null &
rootfs=$!
moto_version=5.2.5
if ! [ -x "$cache/venv/bin/moto_server" ] || ! "$cache/venv/bin/pip" show moto 2>/dev/null | grep -q "^Version: $moto_version$"; then
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q "moto[server]==$moto_version" >&2
fi
# The git server's account: git-shell only, so the deploy key can fetch and nothing else.
if ! id cwtlab-git >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /var/lib/cdk-web-tiers-lab-git --shell /usr/bin/git-shell cwtlab-git
fi
# No password, but not locked: sshd (without PAM) refuses key logins to a locked account.
usermod -p '*' cwtlab-git
[ -f "$cache/git-host-key" ] || ssh-keygen -q -t ed25519 -N '' -C 'cdk-web-tiers lab git server' -f "$cache/git-host-key"
[ -f "$cache/deploy-key" ] || ssh-keygen -q -t ed25519 -N '' -C 'kwizly deploy key (lab)' -f "$cache/deploy-key"
wait "$rootfs" || { echo "the lab's root file system could not be built (rootfs.sh)" >&2; exit 1; }
