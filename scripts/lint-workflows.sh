#!/usr/bin/env bash
# Lints .github/workflows with actionlint (which also runs shellcheck on every run: block).
# Uses actionlint from PATH or GOPATH/bin, else installs the pinned version with `go install`.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=v1.7.12
bin=$(command -v actionlint || true)
if [ -z "$bin" ] && command -v go >/dev/null 2>&1; then
  bin="$(go env GOPATH)/bin/actionlint"
  [ -x "$bin" ] || go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "lint-workflows: actionlint not found and no Go toolchain to install it (go install github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION)" >&2
  exit 1
fi
"$bin" .github/workflows/*.yml
echo "lint-workflows: $(ls .github/workflows/*.yml | wc -l) workflows clean ($("$bin" -version | head -1))"
