/**
 * runtime/boot/warm-resume.sh, the service that readies an instance leaving the warm pool, run by
 * bash against recording stubs of `aws`, `curl` and `systemctl`: it waits for InService, abandons
 * an instance built from an older launch template version, otherwise runs the fetch-code and build
 * steps again, restarts the app, waits for readiness and completes the launch.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', 'runtime', 'boot', 'warm-resume.sh');

interface Resume {
  readonly status: number | null;
  readonly calls: string[];
  readonly stdout: string;
  readonly dir: string;
}

function resume(options: { prepared?: boolean; instanceVersion?: string; groupVersion?: string; failingStep?: boolean; probeEnvironment?: boolean; noDeployment?: boolean } = {}): Resume {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-resume-'));
  const etc = path.join(dir, 'etc');
  const home = path.join(dir, 'opt');
  const bin = path.join(dir, 'bin');
  for (const d of [etc, path.join(home, 'steps'), path.join(home, 'bin'), bin]) fs.mkdirSync(d, { recursive: true });
  // The pool's recycler, as runtime/boot/warm-pool.sh installs it (its own test: warm-recycle below).
  fs.writeFileSync(path.join(home, 'bin', 'warm-recycle'), `#!/bin/bash\necho "warm-recycle" >> "${dir}/calls"\n`, { mode: 0o755 });
  // As runtime/boot/prelude.sh writes them.
  fs.writeFileSync(path.join(etc, 'fleet.env'), ['CWT_REGION=eu-west-1', 'CWT_STACK=Shop', 'INSTANCE_ID=i-0123456789abcdef0', 'AWS_DEFAULT_REGION=eu-west-1', 'AWS_REGION=eu-west-1',
    `CWT_HOME=${home}`, `CWT_LOG_DIR=${path.join(dir, 'log')}`, `CWT_ETC=${etc}`, `CWT_BOOT_DIR=${home}/boot`, ''].join('\n'));
  fs.writeFileSync(path.join(etc, 'warm-pool.env'), 'HEALTH_URL=http://127.0.0.1:8080/ready\nCWT_LIFECYCLE_HOOK=cdk-web-tiers-ready\nCWT_READY_TIMEOUT_SECONDS=5\n' +
    'CWT_SIGNAL_RESOURCE=WebGroupASG\nCWT_TARGET_GROUP_ARN=arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/abc\n');
  if (options.prepared ?? true) fs.writeFileSync(path.join(etc, 'warm-pool-prepared'), '');
  // What the boot recorded: a clone step with its environment, and a start step.
  fs.writeFileSync(path.join(home, 'steps', 'order'), 'app-user prepare\ngit-clone fetch-code\nbuild-app build\napp-service start\n');
  for (const name of ['app-user', 'git-clone', 'build-app', 'app-service']) {
    fs.writeFileSync(path.join(home, 'steps', `${name}.env`), `STEP_NAME=${name} 'BRANCH=main branch' `);
    fs.writeFileSync(path.join(home, 'steps', `${name}.sh`), `echo "ran $STEP_NAME ($BRANCH)" >> "${dir}/calls"\n${name === 'build-app' && options.failingStep ? 'exit 3\n' : ''}` +
      // What the real step scripts read from the boot's environment (they run with set -u).
      (name === 'git-clone' && options.probeEnvironment ? `echo "env $CWT_BOOT_DIR $CWT_REGION $INSTANCE_ID $AWS_REGION $AWS_DEFAULT_REGION $CWT_ETC" >> "${dir}/calls"\n` : ''));
  }
  fs.writeFileSync(path.join(dir, 'states'), 'Warmed:Stopped\nWarmed:Stopped\nInService\n');
  fs.writeFileSync(path.join(bin, 'curl'), [
    '#!/bin/bash',
    `case "$*" in`,
    `  *target-lifecycle-state*) f="${dir}/states"; head -1 "$f"; [ "$(wc -l < "$f")" -gt 1 ] && sed -i 1d "$f"; true ;;`,
    `  *api/token*) echo token ;;`,
    `  *ready*) echo "curl $*" >> "${dir}/calls" ;;`,
    'esac',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'aws'), [
    '#!/bin/bash',
    `echo "aws $*" >> "${dir}/calls"`,
    'case "$2" in',
    `  describe-auto-scaling-instances) printf 'shop-web-group\\t${options.instanceVersion ?? '7'}\\n' ;;`,
    `  describe-auto-scaling-groups) printf 'None\\t${options.groupVersion ?? '7'}\\n' ;;`,
    `  describe-target-health) echo healthy ;;`,
    options.noDeployment
      ? `  signal-resource) echo "An error occurred (ValidationError) when calling the SignalResource operation: Stack Shop is in UPDATE_COMPLETE state and cannot be signaled" >&2; exit 254 ;;`
      : '',
    'esac',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/bash\necho "systemctl $*" >> "${dir}/calls"\n`, { mode: 0o755 });
  const result = spawnSync('bash', [SCRIPT], {
    env: { PATH: `${bin}:/usr/bin:/bin`, CWT_ETC: etc, CWT_POLL_SECONDS: '0', CWT_RETRY_SECONDS: '0' },
    encoding: 'utf-8',
    timeout: 30_000,
  });
  const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf-8').split('\n').filter(Boolean) : [];
  return { status: result.status, calls, stdout: result.stdout + result.stderr, dir };
}

const SIGNAL = 'aws cloudformation signal-resource --region eu-west-1 --stack-name Shop --logical-resource-id WebGroupASG --unique-id i-0123456789abcdef0 --status';
const HEALTH = 'aws elbv2 describe-target-health --region eu-west-1 --target-group-arn arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/abc --targets Id=i-0123456789abcdef0 --query TargetHealthDescriptions[0].TargetHealth.State --output text';
const COMPLETE = 'aws autoscaling complete-lifecycle-action --region eu-west-1 --auto-scaling-group-name shop-web-group --lifecycle-hook-name cdk-web-tiers-ready --instance-id i-0123456789abcdef0 --lifecycle-action-result';

describe('warm-resume', () => {
  test('on leaving the pool: the fetch-code and build steps run again with their environment, the app restarts, readiness, then CONTINUE', () => {
    const run = resume();
    expect(run.status).toBe(0);
    expect(run.calls.filter(c => !c.startsWith('aws autoscaling describe'))).toEqual([
      'ran git-clone (main branch)',
      'ran build-app (main branch)',
      'systemctl is-enabled --quiet webapp.service',
      'systemctl restart webapp.service',
      'curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:8080/ready',
      `${COMPLETE} CONTINUE`,
      HEALTH,
      `${SIGNAL} SUCCESS`,
      'warm-recycle',
    ]);
    expect(run.stdout).toContain('leaving the warm pool');
    expect(fs.existsSync(path.join(run.dir, 'etc', 'warm-pool-prepared'))).toBe(false);
  });

  test('the steps run again in the boot\'s environment (boot files folder, region, instance id), as the prelude gave them', () => {
    const run = resume({ probeEnvironment: true });
    expect(run.status).toBe(0);
    const home = path.join(run.dir, 'opt');
    expect(run.calls).toContain(`env ${home}/boot eu-west-1 i-0123456789abcdef0 eu-west-1 eu-west-1 ${path.join(run.dir, 'etc')}`);
  });

  test('an instance built from an older launch template version abandons its launch without running anything', () => {
    const run = resume({ instanceVersion: '6', groupVersion: '7' });
    expect(run.status).toBe(0);
    expect(run.calls.some(c => c.startsWith('ran '))).toBe(false);
    expect(run.calls[run.calls.length - 1]).toBe(`${COMPLETE} ABANDON`);
    expect(run.stdout).toContain('built from launch template version 6, the group is at 7');
  });

  test('a step that fails again signals FAILURE (a rolling update that drew this instance rolls back, as for a fresh boot) and abandons the launch', () => {
    const run = resume({ failingStep: true });
    expect(run.status).toBe(1);
    expect(run.calls.slice(-2)).toEqual([`${SIGNAL} FAILURE`, `${COMPLETE} ABANDON`]);
    expect(run.calls).not.toContain(`${SIGNAL} SUCCESS`);
  });

  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html:
  // "Whenever your application needs to scale out, the Auto Scaling group can draw on the warm pool to
  // meet its new desired capacity." A rolling update raises the desired capacity and waits on a signal
  // from each new instance (WaitOnResourceSignals): one drawn from the pool must signal, after the
  // load balancer counts it healthy, like a fresh boot.
  test('an instance that leaves the pool signals SUCCESS once the target group counts it healthy, after CONTINUE', () => {
    const run = resume();
    const at = (c: string) => run.calls.indexOf(c);
    expect(at(`${SIGNAL} SUCCESS`)).toBeGreaterThan(at(HEALTH));
    expect(at(HEALTH)).toBeGreaterThan(at(`${COMPLETE} CONTINUE`));
    expect(run.stdout).toContain('signal SUCCESS sent');
  });

  test('outside a deployment CloudFormation\'s "cannot be signaled" is harmless and not retried', () => {
    const run = resume({ noDeployment: true });
    expect(run.status).toBe(0);
    expect(run.calls.filter(c => c.startsWith(SIGNAL))).toHaveLength(1);
    expect(run.stdout).toContain('signal SUCCESS: not needed, no deployment in progress');
  });

  test('an abandoned stale instance does not signal (its replacement does)', () => {
    const run = resume({ instanceVersion: '6', groupVersion: '7' });
    expect(run.calls.some(c => c.startsWith(SIGNAL))).toBe(false);
  });

  test('on the first boot (not prepared for the pool) it does nothing', () => {
    const run = resume({ prepared: false });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
  });
});

/**
 * runtime/boot/warm-recycle.sh, run by every instance that enters service in a tier with a warm pool.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html:
 * "During an update, if UpdatePolicy is set to AutoScalingRollingUpdate, CloudFormation replaces
 * InService instances only. Instances in the warm pool are not replaced." So after a rolling update
 * the pool still holds instances of the old launch template; the recycler terminates them, and "When
 * your Auto Scaling group scales out and the size of the warm pool shrinks, Amazon EC2 Auto Scaling
 * launches new instances into the warm pool to maintain its minimum size" (from the group's version).
 */
describe('warm-recycle', () => {
  const RECYCLE = path.join(__dirname, '..', 'runtime', 'boot', 'warm-recycle.sh');

  function recycle(pool: string[], groupVersion = '7', state = 'InService'): { status: number | null; calls: string[]; log: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-recycle-'));
    const etc = path.join(dir, 'etc');
    const bin = path.join(dir, 'bin');
    const log = path.join(dir, 'log');
    for (const d of [etc, bin, log]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(etc, 'fleet.env'), `CWT_REGION=eu-west-1\nINSTANCE_ID=i-0aaa\nCWT_LOG_DIR=${log}\n`);
    fs.writeFileSync(path.join(etc, 'warm-pool.env'), 'HEALTH_URL=http://127.0.0.1:8080/ready\n');
    fs.writeFileSync(path.join(bin, 'aws'), [
      '#!/bin/bash',
      `echo "aws $*" >> "${dir}/calls"`,
      'case "$2" in',
      `  describe-auto-scaling-instances) printf 'shop-web-group\\t${state}\\n' ;;`,
      `  describe-auto-scaling-groups) printf '${groupVersion}\\tNone\\n' ;;`,
      `  describe-warm-pool) printf '${pool.map(p => p.replace(/ /g, '\\t')).join('\\n')}\\n' ;;`,
      'esac',
    ].join('\n'), { mode: 0o755 });
    const result = spawnSync('bash', [RECYCLE], { env: { PATH: `${bin}:/usr/bin:/bin`, CWT_ETC: etc, CWT_RETRY_SECONDS: '0' }, encoding: 'utf-8', timeout: 30_000 });
    const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf-8').split('\n').filter(Boolean) : [];
    const logFile = path.join(log, 'warm-pool.log');
    return { status: result.status, calls, log: fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf-8') : '' };
  }

  test('terminates the pooled instances of an older launch template version, and only those', () => {
    const run = recycle(['i-0old1 Warmed:Stopped 6', 'i-0new1 Warmed:Stopped 7', 'i-0old2 Warmed:Pending 6', 'i-0gone Warmed:Terminating 6']);
    expect(run.status).toBe(0);
    expect(run.calls.filter(c => c.includes('terminate'))).toEqual(['aws ec2 terminate-instances --region eu-west-1 --instance-ids i-0old1 i-0old2 --output text']);
    expect(run.calls).toContain('aws autoscaling describe-warm-pool --region eu-west-1 --auto-scaling-group-name shop-web-group --query Instances[].[InstanceId,LifecycleState,LaunchTemplate.Version] --output text');
    expect(run.log).toContain('older launch template than version 7: i-0old1 i-0old2');
  });

  test('only an instance in service judges the pool (the timer also fires while launching, or in a running pool)', () => {
    for (const state of ['Pending:Wait', 'Warmed:Running', 'Terminating:Wait']) {
      const run = recycle(['i-0old1 Warmed:Stopped 6'], '7', state);
      expect(run.status).toBe(0);
      expect(run.calls.filter(c => !c.includes('describe-auto-scaling-instances'))).toEqual([]);
    }
  });

  test('a pool of current instances (or an empty one) is left alone', () => {
    for (const pool of [['i-0new1 Warmed:Stopped 7'], []]) {
      const run = recycle(pool);
      expect(run.status).toBe(0);
      expect(run.calls.some(c => c.includes('terminate'))).toBe(false);
    }
  });
});
