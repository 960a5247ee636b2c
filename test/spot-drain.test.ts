/**
 * runtime/boot/spot-drain-watch.sh run by bash against stubs: no notice, no call; a Spot
 * interruption notice deregisters the instance from its target group (retried when the call fails).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', 'runtime', 'boot', 'spot-drain-watch.sh');
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/abc';

function watch(polls: string[], awsFailures = 0): { status: number | null; calls: string[]; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-spot-'));
  const etc = path.join(dir, 'etc');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(etc);
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(etc, 'fleet.env'), 'CWT_REGION=eu-west-1\nINSTANCE_ID=i-0123456789abcdef0\n');
  fs.writeFileSync(path.join(etc, 'spot-drain.env'), `TARGET_GROUP_ARN=${TARGET_GROUP}\n`);
  // One answer of spot/instance-action per poll: 404 (curl fails) or the notice.
  fs.writeFileSync(path.join(dir, 'polls'), polls.join('\n') + '\n');
  fs.writeFileSync(path.join(bin, 'curl'), [
    '#!/bin/bash',
    'case "$*" in',
    '  *api/token*) echo token ;;',
    `  *instance-action*) f="${dir}/polls"; a=$(head -1 "$f"); sed -i 1d "$f"; [ "$a" = 404 ] && exit 22; echo "$a" ;;`,
    'esac',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'aws'), [
    '#!/bin/bash',
    `echo "aws $*" >> "${dir}/calls"`,
    `[ "$(wc -l < "${dir}/calls")" -le ${awsFailures} ] && exit 254`,
    'exit 0',
  ].join('\n'), { mode: 0o755 });
  const result = spawnSync('bash', [SCRIPT], {
    env: { PATH: `${bin}:/usr/bin:/bin`, CWT_ETC: etc, CWT_POLL_SECONDS: '0', CWT_RETRY_SECONDS: '0' },
    encoding: 'utf-8',
    timeout: 30_000,
  });
  const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf-8').split('\n').filter(Boolean) : [];
  return { status: result.status, calls, output: result.stdout + result.stderr };
}

const DEREGISTER = `aws elbv2 deregister-targets --region eu-west-1 --target-group-arn ${TARGET_GROUP} --targets Id=i-0123456789abcdef0`;

test('polls until a Spot interruption notice, then leaves the target group once', () => {
  const run = watch(['404', '404', '{"action": "terminate", "time": "2026-12-01T14:00:00Z"}']);
  expect(run.status).toBe(0);
  expect(run.calls).toEqual([DEREGISTER]);
  expect(run.output).toContain('Spot interruption notice: {"action": "terminate"');
});

test('a failed deregistration is retried', () => {
  const run = watch(['{"action": "stop"}'], 2);
  expect(run.status).toBe(0);
  expect(run.calls).toEqual([DEREGISTER, DEREGISTER, DEREGISTER]);
});
