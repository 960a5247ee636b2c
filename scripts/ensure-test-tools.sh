#!/usr/bin/env bash
# Makes sure the programs the test suite runs for real are installed: redis-server (joblock tests),
# shellcheck (boot scripts), systemd-analyze (timer schedules), openssl (joblock TLS test), and k6
# (load tests, from the Go module proxy).
# Installs them with apt-get when running as root on Debian/Ubuntu; otherwise says what is missing.
set -euo pipefail
declare -A package_of=([redis-server]=redis-server [shellcheck]=shellcheck [systemd-analyze]=systemd [openssl]=openssl)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
# k6 (the load-test generator's tests run it on loopback), built from the Go module proxy once and
# kept in GOPATH/bin (about 5 minutes on 2 cores the first time).
K6_VERSION=v1.8.1
if ! command -v k6 >/dev/null 2>&1 && ! [ -x "$(go env GOPATH 2>/dev/null)/bin/k6" ]; then
  if command -v go >/dev/null 2>&1; then
    echo "installing k6 $K6_VERSION (go install)"
    go install "go.k6.io/k6@$K6_VERSION"
  else
    echo "The tests need k6: install Go and run go install go.k6.io/k6@$K6_VERSION" >&2
    exit 1
  fi
fi
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
