#!/usr/bin/env bash
# Builds the jsii packages with jsii-pacmak into dist/<language>: `bash scripts/package.sh`
# builds all four (python java dotnet go); name some to build only those, e.g. `... python go`.
# Needs: python3 (a venv with setuptools, wheel, build and twine is made in .venv-package),
# mvn and a JDK (Java), go (Go), the dotnet SDK (.NET). A missing toolchain is an error that
# names it; nothing is skipped silently.
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
for target in "${targets[@]}"; do
  start=$(date +%s)
  if ! npx jsii-pacmak --targets "$target" --rosetta-tablet .jsii.tabl.json > "dist/pacmak-$target.log" 2>&1; then
    grep -v '^!!' "dist/pacmak-$target.log" >&2; echo "package: jsii-pacmak failed for $target" >&2; exit 1
  fi
  echo "package: $target in $(( $(date +%s) - start )) s: $(ls "dist/$target" | tr '\n' ' ')"
done
