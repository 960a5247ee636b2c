#!/usr/bin/env bash
# Prints the CHANGELOG.md section of one version (the release notes): `changelog-section.sh 0.2.0`.
# Fails when CHANGELOG.md has no section `## [0.2.0]` or `## 0.2.0`, so that no release goes out
# without its notes.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: changelog-section.sh VERSION}
section=$(awk -v v="$version" '
  /^## / { if (found) exit; h = $0; sub(/^## \[?/, "", h); sub(/[] ].*$/, "", h); if (h == v) { found = 1; next } }
  found { print }
' CHANGELOG.md)
if [ -z "${section//[[:space:]]/}" ]; then
  echo "changelog-section: CHANGELOG.md has no section for $version (add '## [$version] - YYYY-MM-DD')" >&2
  exit 1
fi
printf '%s\n' "$section"
