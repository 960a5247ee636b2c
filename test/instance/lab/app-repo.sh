#!/usr/bin/env bash
# Creates the lab's Kwizly app repository (branch main) as a bare repository the git server serves.
# app-repo.sh BARE_DIR OWNER
set -euo pipefail
bare=$1 owner=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$here/app/." "$work/"
git -C "$work" init -q -b main
git -C "$work" add -A
git -C "$work" -c user.name=lab -c user.email=lab@kwizly.lab commit -q -m 'Kwizly app (lab)'
rm -rf "$bare"
mkdir -p "$(dirname "$bare")"
git clone -q --bare "$work" "$bare"
chown -R "$owner:" "$(dirname "$bare")"
