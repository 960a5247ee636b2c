#!/usr/bin/env bash
# Builds the jsii packages with jsii-pacmak into dist/<language>: `bash scripts/package.sh`
# builds all four (python java dotnet go); name some to build only those, e.g. `... python go`.
# Needs: python3 (a venv with setuptools, wheel, build and twine is made in .venv-package),
# mvn and a JDK (Java), go (Go), the dotnet SDK (.NET). A missing toolchain is an error that
# names it; nothing is skipped silently.
#
# Go: jsii-pacmak writes the module (dist/go/cdkwebtiers); its go.mod requires the aws-cdk-go of
# our aws-cdk-lib floor (v2.257.0) and, as `// indirect`, the versions npm installed of
# aws-cdk-lib's own jsii dependencies (cloud-assembly-schema-go v53.28.0). jsii-pacmak's own check
# (`go mod tidy` with that go.mod as the main module) reads every one of those go.mod files, and
# the Go module proxy here refuses v53.28.0 (403). So the module is generated with --code-only
# and then compiled the way a user's app compiles it: from a throwaway module that requires it
# (a replace to dist/go) and the aws-cdk-go version examples/go uses. With module graph pruning
# (go directive >= 1.17 on both sides) the go.mod files of our module's requirements are not
# read, and minimal version selection takes the newer aws-cdk-go.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(python java dotnet go)

declare -A tool_of=([python]=python3 [java]=mvn [dotnet]=dotnet [go]=go)
missing=()
for target in "${targets[@]}"; do
  tool=${tool_of[$target]:-}
  [ -n "$tool" ] || { echo "package: unknown target '$target' (python, java, dotnet, go)" >&2; exit 64; }
  command -v "$tool" >/dev/null 2>&1 || missing+=("$target needs $tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'package: %s on PATH\n' "${missing[@]}" >&2
  echo "package: install it, or name only the targets this machine can build (bash scripts/package.sh python java go)" >&2
  exit 1
fi

if [[ " ${targets[*]} " == *" python "* ]]; then
  if [ ! -x .venv-package/bin/twine ]; then
    python3 -m venv .venv-package
    .venv-package/bin/pip install --quiet --disable-pip-version-check setuptools wheel build twine
  fi
  export PATH="$PWD/.venv-package/bin:$PATH"
fi

[ -f .jsii ] || npm run build
# Translate the README examples for the other languages (rosetta/default.ts-fixture); a snippet
# that does not compile fails here.
start=$(date +%s)
mkdir -p dist
if ! npx jsii-rosetta extract --compile --fail > dist/rosetta.log 2>&1; then
  grep -v '^!!' dist/rosetta.log >&2; echo "package: jsii-rosetta could not compile the examples" >&2; exit 1
fi
echo "package: jsii-rosetta in $(( $(date +%s) - start )) s"
# Compiles every package of dist/go/cdkwebtiers from a module that requires it, as a Go user's does.
check_go_module() {
  local module awscdk tmp
  module=$(awk '$1 == "module" { print $2 }' dist/go/cdkwebtiers/go.mod)
  awscdk=$(awk '$1 == "github.com/aws/aws-cdk-go/awscdk/v2" { print $2 }' examples/go/go.mod)
  if [ -z "$module" ] || [ -z "$awscdk" ]; then
    echo "package: no module in dist/go/cdkwebtiers/go.mod or no aws-cdk-go in examples/go/go.mod" >&2; return 1
  fi
  tmp=$(mktemp -d)
  printf 'module cdkwebtiers.check\n\ngo 1.25\n\nrequire (\n\t%s v0.0.0\n\tgithub.com/aws/aws-cdk-go/awscdk/v2 %s\n)\n\nreplace %s => %s\n' \
    "$module" "$awscdk" "$module" "$PWD/dist/go/cdkwebtiers" > "$tmp/go.mod"
  printf 'package check\n\nimport _ "%s"\n' "$module" > "$tmp/check.go"
  if ! (cd "$tmp" && go mod tidy && go build "$module/...") >> dist/pacmak-go.log 2>&1; then
    rm -rf "$tmp"; grep -v '^!!' dist/pacmak-go.log >&2
    echo "package: the Go module does not compile with aws-cdk-go $awscdk" >&2; return 1
  fi
  rm -rf "$tmp"
  echo "package: go: $module compiles with aws-cdk-go $awscdk"
}

for target in "${targets[@]}"; do
  start=$(date +%s)
  code_only=()
  [ "$target" = go ] && code_only=(--code-only)
  if ! npx jsii-pacmak --targets "$target" "${code_only[@]}" --rosetta-tablet .jsii.tabl.json > "dist/pacmak-$target.log" 2>&1; then
    grep -v '^!!' "dist/pacmak-$target.log" >&2; echo "package: jsii-pacmak failed for $target" >&2; exit 1
  fi
  if [ "$target" = go ]; then check_go_module; fi
  echo "package: $target in $(( $(date +%s) - start )) s: $(ls "dist/$target" | tr '\n' ' ')"
done
