#!/usr/bin/env bash
# Installs the Python wheel (dist/python, built by `bash scripts/package.sh python` when missing)
# with aws-cdk-lib 2.257.0 from PyPI into .venv-python-app and runs examples/python's tests,
# which synthesize a Karma Labs stack in Python and assert on its template. Fails on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ls dist/python/cdk_web_tiers-*.whl >/dev/null 2>&1 || bash scripts/package.sh python
wheel=$(ls -t dist/python/cdk_web_tiers-*.whl | head -1)

venv=.venv-python-app
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check 'aws-cdk-lib==2.257.0' 'constructs>=10.5.1,<11' 'pytest>=8'
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
echo "python-app: $wheel"

cd examples/python
../../"$venv"/bin/python -m pytest -q -p no:cacheprovider test_app.py
# The app also runs as `cdk synth` would run it: it must write its template.
out=$(mktemp -d)
CDK_OUTDIR="$out" ../../"$venv"/bin/python app.py
test -s "$out/KarmaLabsPython.template.json"
rm -rf "$out"
echo "python-app: KarmaLabsPython synthesized"
