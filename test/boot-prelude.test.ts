/**
 * Runs a real rendered boot script (prelude + steps) with bash, in a scratch folder, with `aws` and
 * `curl` replaced by recording stubs: the boot files are downloaded and unpacked, each step runs in
 * its own process with its environment, the first failing step signals FAILURE and stops the boot,
 * and a clean boot signals SUCCESS.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootScript } from '../lib/fleet/boot-script';
import { BootPhase } from '../lib';

interface BootRun {
  readonly status: number | null;
  readonly awsCalls: string[];
  readonly log: string;
  readonly home: string;
}

function boot(configure: (script: BootScript) => void, extraGlobals: Record<string, string> = {}): BootRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-boot-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // The boot files asset: a zip of runtime/boot, made with python3 as the asset would be.
  const zip = path.join(dir, 'boot.zip');
  const zipped = spawnSync('python3', ['-m', 'zipfile', '-c', zip, ...fs.readdirSync(path.join(__dirname, '..', 'runtime', 'boot')).map(f => path.join(__dirname, '..', 'runtime', 'boot', f))]);
  expect(zipped.status).toBe(0);
  fs.writeFileSync(path.join(bin, 'aws'), [
    '#!/bin/bash',
    `echo "$*" >> "${dir}/aws-calls"`,
    // aws s3 cp SRC DEST: copy the prepared zip
    `if [ "$1" = s3 ] && [ "$2" = cp ]; then cp "${zip}" "\${@: -1}"; fi`,
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'curl'), '#!/bin/bash\necho i-0123456789abcdef0\n', { mode: 0o755 });

  const script = new BootScript({
    CWT_REGION: 'eu-west-1', CWT_STACK: 'Shop', CWT_SIGNAL_RESOURCE: 'WebGroupASG', CWT_LOG_GROUP: 'shop-logs',
    CWT_FLEET: 'c0ffee', CWT_REPORT_UNHEALTHY_ON_FAILURE: '0', CWT_BOOT_BUCKET: 'assets-bucket', CWT_BOOT_KEY: 'abc.zip',
    ...extraGlobals,
  });
  configure(script);
  const file = path.join(dir, 'user-data.sh');
  fs.writeFileSync(file, script.render());
  const home = path.join(dir, 'opt');
  const result = spawnSync('bash', [file], {
    env: { PATH: `${bin}:/usr/bin:/bin`, CWT_HOME: home, CWT_LOG_DIR: path.join(dir, 'log'), CWT_ETC: path.join(dir, 'etc') },
    encoding: 'utf-8',
    timeout: 30_000,
  });
  const read = (f: string) => fs.existsSync(f) ? fs.readFileSync(f, 'utf-8') : '';
  return { status: result.status, awsCalls: read(path.join(dir, 'aws-calls')).split('\n').filter(Boolean), log: read(path.join(dir, 'log', 'boot.log')), home };
}

describe('the rendered boot script, run by bash', () => {
  test('a clean boot downloads the boot files, runs every step in phase order with its environment, and signals SUCCESS', () => {
    const run = boot(script => {
      script.addStep({ name: 'second', phase: BootPhase.START, script: 'echo "second step sees $GREETING"', environment: { GREETING: "it's ok" } });
      script.addStep({ name: 'first', phase: BootPhase.PREPARE, script: 'echo "first step in $CWT_BOOT_DIR"; test -f "$CWT_BOOT_DIR/mount-efs.sh"' });
    });
    expect(run.status).toBe(0);
    expect(run.awsCalls[0]).toBe(`s3 cp --only-show-errors --region eu-west-1 s3://assets-bucket/abc.zip ${run.home}/boot.zip`);
    expect(run.awsCalls[run.awsCalls.length - 1]).toBe(
      'cloudformation signal-resource --region eu-west-1 --stack-name Shop --logical-resource-id WebGroupASG --unique-id i-0123456789abcdef0 --status SUCCESS');
    expect(run.log.indexOf('first step in')).toBeLessThan(run.log.indexOf("second step sees it's ok"));
    expect(run.log).toContain('boot finished');
  });

  test('a failing step signals FAILURE with its name, and later steps do not run', () => {
    const run = boot(script => {
      script.addStep({ name: 'clone', phase: BootPhase.FETCH_CODE, script: 'echo "fatal: repository not found" >&2; exit 128' });
      script.addStep({ name: 'start', phase: BootPhase.START, script: 'echo SHOULD-NOT-RUN' });
    });
    expect(run.status).toBe(1);
    expect(run.awsCalls).toContainEqual(expect.stringMatching(/signal-resource .* --status FAILURE$/));
    expect(run.awsCalls.join('\n')).not.toContain('--status SUCCESS');
    expect(run.log).toContain('fatal: repository not found');
    expect(run.log).toContain('BOOT FAILED: step clone (fetch-code) failed');
    expect(run.log).not.toContain('SHOULD-NOT-RUN');
  });

  test('an unset variable or a failing pipe inside a step fails it (set -euo pipefail)', () => {
    expect(boot(s => s.addStep({ name: 'unset', phase: BootPhase.BUILD, script: 'echo "$NOT_SET"' })).status).toBe(1);
    expect(boot(s => s.addStep({ name: 'pipe', phase: BootPhase.BUILD, script: 'false | cat' })).status).toBe(1);
  });

  test('a singleton also reports itself unhealthy when its boot fails', () => {
    const run = boot(s => s.addStep({ name: 'broken', phase: BootPhase.START, script: 'exit 3' }), { CWT_REPORT_UNHEALTHY_ON_FAILURE: '1' });
    expect(run.status).toBe(1);
    expect(run.awsCalls).toContainEqual('autoscaling set-instance-health --region eu-west-1 --instance-id i-0123456789abcdef0 --health-status Unhealthy --no-should-respect-grace-period');
  });
});

test('an environment variable name that bash cannot export is refused when the step is added', () => {
  const script = new BootScript({});
  expect(() => script.addStep({ name: 'bad-env', phase: BootPhase.START, script: 'true', environment: { 'MY-VAR': 'x' } }))
    .toThrow(/environment variable name "MY-VAR"/);
});
