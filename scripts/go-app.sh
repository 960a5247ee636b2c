#!/usr/bin/env bash
# Runs examples/go's tests on the Go module in dist/go (built by `bash scripts/package.sh go` when
# missing): a Karma Labs stack synthesized in Go through the jsii runtime (node on PATH) with
# aws-cdk-go v2.276.0 from the Go module proxy, and assertions on its template. Then runs the app
# as `cdk synth` would and checks that it writes its template. Fails on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || { echo "go-app: go is not on PATH" >&2; exit 1; }
[ -f dist/go/cdkwebtiers/go.mod ] || bash scripts/package.sh go
echo "go-app: $(awk '$1 == "module" { print $2 }' dist/go/cdkwebtiers/go.mod) from dist/go, node $(node --version)"

cd examples/go
start=$(date +%s)
# go.mod and go.sum are committed: -mod=readonly (the default) fails if they are not tidy.
go vet ./...
go test -count=1 -v ./... 2>&1 | grep -v -e '^!!' -e '^\s*$' || { echo "go-app: go test failed" >&2; exit 1; }
echo "go-app: go test in $(( $(date +%s) - start )) s"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CDK_OUTDIR="$out" go run . 2>&1 | grep -v -e '^!!' -e '^\s*$' || true
test -s "$out/KarmaLabsGo.template.json" || { echo "go-app: go run . wrote no KarmaLabsGo.template.json" >&2; exit 1; }
echo "go-app: KarmaLabsGo synthesized"
