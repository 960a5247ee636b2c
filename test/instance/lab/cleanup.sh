#!/usr/bin/env bash
# Removes what a lab run left behind: its processes (by the pid files it wrote, never by name),
# mounts, network namespaces and folder. `cleanup.sh RUN_ID` removes one run; with no argument,
# every run whose test process is gone (a killed run).
set -uo pipefail
root=/run/cdk-web-tiers-lab
runs=()
if [ $# -gt 0 ]; then runs=("$1"); else
  for dir in "$root"/*/; do
    [ -d "$dir" ] || continue
    id=$(basename "$dir")
    pid=${id##*[!0-9]}
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && continue   # that run is still going
    runs+=("$id")
  done
fi
for id in "${runs[@]}"; do
  dir=$root/$id
  for pidfile in "$dir"/pids/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    # Only a process that is still the one we started (its command line names this run or the lab).
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qE "$id|cdk-web-tiers-lab|cwtlab"; then
      kill -TERM "$pid" 2>/dev/null
    fi
  done
  sleep 1
  for pidfile in "$dir"/pids/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qE "$id|cdk-web-tiers-lab|cwtlab"; then
      kill -KILL "$pid" 2>/dev/null
    fi
  done
  # Mounts under the run's folder, deepest first.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^cwtlab-$id-"); do
    # Processes left inside the namespace (the lab started all of them).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns delete "$ns"
  done
  # The instances' cgroups (empty once their processes are gone), deepest first.
  for root in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    for cg in "$root"/cwtlab-"$id"-*; do
      [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
    done
  done
  rm -rf "$dir"
done
