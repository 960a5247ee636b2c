#!/usr/bin/env bash
# `npx cdk-web-tiers validate` as a user runs it: packs the library (npm pack, which runs prepack),
# installs the tarball into a fresh app in a temp folder (offline, from the npm cache), synthesizes
# that app (a web tier with HTTPS and default SharedUploads), and validates its cdk.out:
#  - as is: exit 0, every finding on library resources acknowledged;
#  - with an S3 bucket of the user's own added: exit 1, and every unacknowledged finding is on that bucket.
# Reuses the repository's cfn-lint/checkov venv (.venv, made by `npm run validate`) when it exists.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

cd "$repo"
npm pack --pack-destination "$tmp" > "$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; echo "validate-cli-package: npm pack failed" >&2; exit 1; }
tarball=$(ls "$tmp"/cdk-web-tiers-*.tgz)
echo "validate-cli-package: packed $(basename "$tarball") ($(( $(date +%s) - start )) s)"

mkdir "$tmp/app" && cd "$tmp/app"
cat > package.json <<JSON
{ "name": "user-app", "private": true,
  "dependencies": { "aws-cdk-lib": "2.257.0", "constructs": "10.5.1", "cdk-web-tiers": "file:$tarball" } }
JSON
npm install --offline --no-audit --no-fund --loglevel=error >/dev/null 2>&1 \
  || npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
cat > app.js <<'JS'
// A user's app, in plain JavaScript against the installed package.
const { App, Stack } = require('aws-cdk-lib');
const acm = require('aws-cdk-lib/aws-certificatemanager');
const s3 = require('aws-cdk-lib/aws-s3');
const { AppSource, SharedUploads, StatelessWebTier, TierNetwork } = require('cdk-web-tiers');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'UserApp', { env: { region: 'eu-west-1' } });
const network = new TierNetwork(stack, 'Network');
const web = new StatelessWebTier(stack, 'Web', {
  vpc: network.vpc,
  source: AppSource.fromGitRepository({ repository: 'https://github.com/example/app.git', startCommand: 'npm start' }),
  certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate',
    'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
});
new SharedUploads(stack, 'Uploads', { vpc: network.vpc }).mountOn(web, '/var/app/uploads');
if (process.env.WITH_OWN_BUCKET) new s3.Bucket(stack, 'OwnBucket');
app.synth();
JS
[ -x "$repo/.venv/bin/checkov" ] && export CDK_WEB_TIERS_VENV="$repo/.venv"

node app.js cdk.out
set +e
npx --no-install cdk-web-tiers validate cdk.out > clean.txt 2>&1; code=$?
set -e
if [ "$code" != 0 ]; then
  cat clean.txt; echo "validate-cli-package: FAILED: the clean app exited $code, expected 0" >&2; exit 1
fi
grep -q '^UserApp ' clean.txt || { cat clean.txt; echo "validate-cli-package: FAILED: no UserApp row" >&2; exit 1; }
echo "validate-cli-package: clean app: exit 0"

WITH_OWN_BUCKET=1 node app.js cdk.out.bucket
set +e
npx --no-install cdk-web-tiers validate cdk.out.bucket > bucket.txt 2>&1; code=$?
set -e
# Finding lines are indented by four spaces under "Unacknowledged findings".
findings=$(awk '/^Unacknowledged findings/ { on = 1; next } on && /^$/ { on = 0 } on && /^    /' bucket.txt)
others=$(printf '%s\n' "$findings" | grep -v 'UserApp/OwnBucket' || true)
if [ "$code" != 1 ] || [ -z "$findings" ] || [ -n "$others" ]; then
  cat bucket.txt
  echo "validate-cli-package: FAILED: with its own bucket the app must exit 1 (got $code) with findings on UserApp/OwnBucket only" >&2
  exit 1
fi
echo "validate-cli-package: app with an unencrypted bucket of its own: exit 1, $(printf '%s\n' "$findings" | wc -l) findings, all on UserApp/OwnBucket"
# Bad input fails at synth with a stack trace that points at the user's file and, through the
# source maps jsii writes into build/lib, at the library's TypeScript sources shipped in lib/.
cat > bad.js <<'JS'
const { App, Stack } = require('aws-cdk-lib');
const { AppSource, SingletonWorker, TierNetwork } = require('cdk-web-tiers');
const stack = new Stack(new App(), 'Bad', { env: { region: 'eu-west-1' } });
const network = new TierNetwork(stack, 'Network');
new SingletonWorker(stack, 'Worker', { vpc: network.vpc, healthCommand: '', // line 5: the bad value
  source: AppSource.fromGitRepository({ repository: 'https://github.com/example/app.git', startCommand: 'npm start' }) });
JS
set +e
node --enable-source-maps bad.js > bad.txt 2>&1; code=$?
set -e
frame=$(grep -o 'node_modules/cdk-web-tiers/lib/[^:)]*\.ts' bad.txt | head -1)
if [ "$code" = 0 ] || ! grep -q 'Bad/Worker: invalid healthCommand' bad.txt || ! grep -q 'bad.js:5' bad.txt || [ -z "$frame" ] || [ ! -f "$frame" ]; then
  cat bad.txt
  echo "validate-cli-package: FAILED: bad input must fail with the library's message, a frame in bad.js:5 and a frame in a shipped lib/*.ts file" >&2
  exit 1
fi
echo "validate-cli-package: bad input: '$(grep -m1 -o 'Bad/Worker: invalid healthCommand[^.]*' bad.txt)', frames at bad.js:5 and $frame"

echo "validate-cli-package: passed in $(( $(date +%s) - start )) s"
