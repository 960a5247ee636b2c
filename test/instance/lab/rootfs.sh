#!/usr/bin/env bash
# Builds (once) the lab's Debian 12 root file system and prints its path. Cached outside the
# repository under /var/cache/cdk-web-tiers-lab, keyed by the hash of the package list and this
# script, so a change to either builds a new one. The lab's own files (rootfs-files/) are copied
# into each container's upper layer instead, so that changing them needs no rebuild.
# Parallel callers wait on a lock instead of building twice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LAB_CACHE:-/var/cache/cdk-web-tiers-lab}
mkdir -p "$cache"
hash=$(cat "$here/packages.txt" "$here/rootfs.sh" | sha256sum | cut -c1-16)
target="$cache/rootfs-$hash"
exec 9>"$cache/.lock"
flock 9
if [ -f "$target/.lab-complete" ]; then echo "$target"; exit 0; fi

# The Debian mirror apt on this machine already uses.
mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
  awk '/^(URIs:|deb) +https?:\/\// && $2 !~ /security/ && !found { print $2; found = 1 }' || true)
mirror=${mirror:-http://deb.debian.org/debian}
include=$(grep -vE '^(#|\+|$)' "$here/packages.txt" | paste -sd, -)
later=$(grep -E '^\+' "$here/packages.txt" | cut -c2- | paste -sd' ' -)
work="$cache/building-$hash.$$"
rm -rf "$cache"/building-* 
echo "lab: debootstrap bookworm from $mirror into $work" >&2
debootstrap --variant=minbase --include="$include" bookworm "$work" "$mirror" >&2
cp /etc/resolv.conf "$work/etc/resolv.conf"
mount --bind /proc "$work/proc"; mount --bind /dev "$work/dev"; mount --bind /sys "$work/sys"
trap 'umount "$work/proc" "$work/dev" "$work/sys" 2>/dev/null || true' EXIT
# shellcheck disable=SC2086 # a word list on purpose
DEBIAN_FRONTEND=noninteractive chroot "$work" apt-get install -y -q --no-install-recommends $later >&2
chroot "$work" apt-get clean
umount "$work/proc" "$work/dev" "$work/sys"; trap - EXIT

# Nothing in the image waits for a network manager; the lab configures the link before boot.
chroot "$work" systemctl mask systemd-networkd-wait-online.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >&2 || true
echo "lab" > "$work/etc/hostname"
: > "$work/etc/machine-id"
rm -f "$work/etc/resolv.conf"; echo "nameserver 127.0.0.1" > "$work/etc/resolv.conf"
touch "$work/.lab-complete"
mv "$work" "$target"
# Older images of this lab are no longer used.
find "$cache" -maxdepth 1 -name 'rootfs-*' ! -name "rootfs-$hash" -exec rm -rf {} + 2>/dev/null || true
echo "$target"
