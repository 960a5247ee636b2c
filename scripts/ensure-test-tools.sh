#!/usr/bin/env bash
# Makes sure the programs the test suite runs for real are installed: redis-server (joblock tests),
# shellcheck (boot scripts), systemd-analyze (timer schedules), openssl (joblock TLS test).
# Installs them with apt-get when running as root on Debian/Ubuntu; otherwise says what is missing.
set -euo pipefail
declare -A package_of=([redis-server]=redis-server [shellcheck]=shellcheck [systemd-analyze]=systemd [openssl]=openssl)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need these packages: ${missing[*]}" >&2
  echo "Install them, e.g.: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
