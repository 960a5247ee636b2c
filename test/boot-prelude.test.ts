/**
 * Runs a real rendered boot script (prelude + steps) with bash, in a scratch folder, with `aws` and
 * `curl` replaced by recording stubs that answer like the AWS CLI: the boot files are downloaded
 * and unpacked, each step runs in its own process with its environment, the launch lifecycle action
 * is completed only once the app is ready, the SUCCESS signal waits for the target group to count
 * the instance healthy, failed AWS calls are retried, and a failing step signals FAILURE and
 * abandons the launch. (The same script runs under real systemd in the instance lab, test/instance.)
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

interface FakeAws {
  /** Answers of `elbv2 describe-target-health`, one per call; the last repeats. */
  readonly targetStates?: string[];
  /** The first N signal-resource calls fail with a throttling error. */
  readonly signalFailures?: number;
  /** Every signal-resource call answers like CloudFormation outside a deployment. */
  readonly noDeployment?: boolean;
  /** What `ec2 describe-tags` answers for the instance's signal resource tag. */
  readonly signalResourceTag?: string;
  /** What instance metadata answers for autoscaling/target-lifecycle-state. */
  readonly targetLifecycleState?: string;
}

const GLOBALS = {
  CWT_REGION: 'eu-west-1', CWT_STACK: 'Shop', CWT_SIGNAL_RESOURCE: 'WebGroupASG', CWT_LOG_GROUP: 'shop-logs',
  CWT_FLEET: 'c0ffee', CWT_BOOT_BUCKET: 'assets-bucket', CWT_BOOT_KEY: 'abc.zip',
  CWT_LIFECYCLE_HOOK: 'cdk-web-tiers-ready', CWT_READY_TIMEOUT_SECONDS: '840', CWT_TARGET_GROUP_ARN: '',
};

function boot(configure: (script: BootScript) => void, globals: Record<string, string> = {}, fake: FakeAws = {}): BootRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-boot-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // The boot files asset: a zip of runtime/boot, made with python3 as the asset would be.
  const zip = path.join(dir, 'boot.zip');
  const bootDir = path.join(__dirname, '..', 'runtime', 'boot');
  const zipped = spawnSync('python3', ['-m', 'zipfile', '-c', zip, ...fs.readdirSync(bootDir).map(f => path.join(bootDir, f))]);
  expect(zipped.status).toBe(0);
  fs.writeFileSync(path.join(dir, 'target-states'), (fake.targetStates ?? ['healthy']).join('\n') + '\n');
  fs.writeFileSync(path.join(bin, 'aws'), [
    '#!/bin/bash',
    `echo "$*" >> "${dir}/aws-calls"`,
    'case "$1 $2" in',
    // aws s3 cp SRC DEST: copy the prepared zip
    `  "s3 cp") cp "${zip}" "\${@: -1}" ;;`,
    // Whether the warm pool's marker was on disk when the lifecycle action was completed.
    `  "autoscaling complete-lifecycle-action") [ -f "$CWT_ETC/warm-pool-prepared" ] && echo "marker present" >> "${dir}/aws-calls"; true ;;`,
    '  "autoscaling describe-auto-scaling-instances") echo shop-web-group ;;',
    // The instance's own signal resource tag (a Spot burst group's instances carry one).
    `  "ec2 describe-tags") echo '${fake.signalResourceTag ?? 'None'}' ;;`,
    // One answer per call; the last one repeats.
    `  "elbv2 describe-target-health") f="${dir}/target-states"; head -1 "$f"; [ "$(wc -l < "$f")" -gt 1 ] && sed -i 1d "$f"; true ;;`,
    '  "cloudformation signal-resource")',
    fake.noDeployment
      ? '    echo "An error occurred (ValidationError) when calling the SignalResource operation: Stack arn:aws:cloudformation:eu-west-1:1:stack/Shop/x is in UPDATE_COMPLETE state and cannot be signaled" >&2; exit 254 ;;'
      : `    n=$(grep -c signal-resource "${dir}/aws-calls"); if [ "$n" -le ${fake.signalFailures ?? 0} ]; then echo "An error occurred (Throttling) when calling the SignalResource operation: Rate exceeded" >&2; exit 254; fi ;;`,
    'esac',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'curl'), [
    '#!/bin/bash',
    `case "$*" in *target-lifecycle-state*) echo '${fake.targetLifecycleState ?? 'InService'}' ;; *) echo i-0123456789abcdef0 ;; esac`,
  ].join('\n'), { mode: 0o755 });

  const script = new BootScript({ ...GLOBALS, ...globals });
  configure(script);
  const file = path.join(dir, 'user-data.sh');
  fs.writeFileSync(file, script.render());
  const home = path.join(dir, 'opt');
  const result = spawnSync('bash', [file], {
    env: {
      PATH: `${bin}:/usr/bin:/bin`, CWT_HOME: home, CWT_LOG_DIR: path.join(dir, 'log'), CWT_ETC: path.join(dir, 'etc'),
      CWT_RETRY_SECONDS: '0', CWT_POLL_SECONDS: '0', CWT_LOG_FLUSH_SECONDS: '0',
    },
    encoding: 'utf-8',
    timeout: 30_000,
  });
  const read = (f: string) => fs.existsSync(f) ? fs.readFileSync(f, 'utf-8') : '';
  return { status: result.status, awsCalls: read(path.join(dir, 'aws-calls')).split('\n').filter(Boolean), log: read(path.join(dir, 'log', 'boot.log')), home };
}

const SUCCESS = 'cloudformation signal-resource --region eu-west-1 --stack-name Shop --logical-resource-id WebGroupASG --unique-id i-0123456789abcdef0 --status SUCCESS';
const CONTINUE = 'autoscaling complete-lifecycle-action --region eu-west-1 --auto-scaling-group-name shop-web-group --lifecycle-hook-name cdk-web-tiers-ready --instance-id i-0123456789abcdef0 --lifecycle-action-result CONTINUE';
const ABANDON = CONTINUE.replace('CONTINUE', 'ABANDON');
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/abc';

describe('the rendered boot script, run by bash', () => {
  test('a clean boot downloads the boot files, runs every step in phase order with its environment, completes the launch, and signals SUCCESS', () => {
    const run = boot(script => {
      script.addStep({ name: 'second', phase: BootPhase.START, script: 'echo "second step sees $GREETING"', environment: { GREETING: "it's ok" } });
      script.addStep({ name: 'first', phase: BootPhase.PREPARE, script: 'echo "first step in $CWT_BOOT_DIR"; test -f "$CWT_BOOT_DIR/mount-efs.sh"' });
    });
    expect(run.status).toBe(0);
    expect(run.awsCalls[0]).toBe(`s3 cp --only-show-errors --region eu-west-1 s3://assets-bucket/abc.zip ${run.home}/boot.zip`);
    expect(run.awsCalls.slice(-3)).toEqual([
      'autoscaling describe-auto-scaling-instances --region eu-west-1 --instance-ids i-0123456789abcdef0 --query AutoScalingInstances[0].AutoScalingGroupName --output text',
      CONTINUE,
      SUCCESS,
    ]);
    expect(run.log.indexOf('first step in')).toBeLessThan(run.log.indexOf("second step sees it's ok"));
    expect(run.log).toContain('boot finished');
  });

  test('behind a load balancer, SUCCESS waits until the target group counts the instance healthy, after the launch is completed', () => {
    const run = boot(() => undefined, { CWT_TARGET_GROUP_ARN: TARGET_GROUP }, { targetStates: ['initial', 'initial', 'healthy'] });
    expect(run.status).toBe(0);
    const health = `elbv2 describe-target-health --region eu-west-1 --target-group-arn ${TARGET_GROUP} --targets Id=i-0123456789abcdef0 --query TargetHealthDescriptions[0].TargetHealth.State --output text`;
    expect(run.awsCalls.slice(-5)).toEqual([CONTINUE, health, health, health, SUCCESS]);
    expect(run.log).toContain('target group state: initial');
    expect(run.log).toContain('healthy in the target group');
  });

  test('a target that never becomes healthy by the deadline (counted from the boot\'s start) signals FAILURE', () => {
    const run = boot(() => undefined, { CWT_TARGET_GROUP_ARN: TARGET_GROUP, CWT_READY_TIMEOUT_SECONDS: '0' }, { targetStates: ['unhealthy'] });
    expect(run.status).toBe(1);
    expect(run.log).toContain('not healthy in the target group by the readiness deadline (last state: unhealthy)');
    expect(run.awsCalls).toContainEqual(SUCCESS.replace('SUCCESS', 'FAILURE'));
    expect(run.awsCalls).not.toContainEqual(SUCCESS);
  });

  test('an instance prepared for a warm pool completes its launch into the pool, and neither waits for the target group nor signals', () => {
    const run = boot(script => {
      script.addStep({ name: 'warm-pool', phase: BootPhase.PREPARE, script: 'touch "$CWT_ETC/warm-pool"' });
    }, { CWT_TARGET_GROUP_ARN: TARGET_GROUP }, { targetLifecycleState: 'Warmed:Stopped' });
    expect(run.status).toBe(0);
    expect(run.awsCalls[run.awsCalls.length - 2]).toBe(CONTINUE);
    expect(run.awsCalls.some(c => c.startsWith('cloudformation signal-resource') || c.startsWith('elbv2'))).toBe(false);
    expect(run.log).toContain('prepared for the warm pool');
    expect(fs.existsSync(path.join(run.home, '..', 'etc', 'warm-pool-prepared'))).toBe(true);
    // The steps are recorded with their environment, for the resume service to run fetch-code and build again.
    expect(fs.readFileSync(path.join(run.home, 'steps', 'order'), 'utf-8')).toBe('warm-pool prepare\n');
  });

  test('the warm pool\'s marker is on disk before CONTINUE (Auto Scaling may stop the instance as soon as it has it; without the marker the resume service would exit at the next start and the hook time out into ABANDON)', () => {
    const run = boot(script => {
      script.addStep({ name: 'warm-pool', phase: BootPhase.PREPARE, script: 'touch "$CWT_ETC/warm-pool"' });
    }, {}, { targetLifecycleState: 'Warmed:Stopped' });
    expect(run.status).toBe(0);
    expect(run.awsCalls.slice(-2)).toEqual([CONTINUE, 'marker present']);
  });

  // A Spot burst group shares the tier's launch template (one user data naming the primary group);
  // during a rolling update of the primary group CloudFormation must count only its own new instances.
  test('an instance of a Spot burst group signals its own group, which its tag names; the primary group\'s instances signal the primary group', () => {
    const burst = boot(() => undefined, { CWT_SIGNAL_RESOURCE_TAG: 'cdk-web-tiers:signal-resource' }, { signalResourceTag: 'WebFleetSpotBurstASG' });
    expect(burst.status).toBe(0);
    expect(burst.awsCalls).toContain('ec2 describe-tags --region eu-west-1 --filters Name=resource-id,Values=i-0123456789abcdef0 Name=key,Values=cdk-web-tiers:signal-resource --query Tags[0].Value --output text');
    expect(burst.awsCalls[burst.awsCalls.length - 1]).toBe(SUCCESS.replace('WebGroupASG', 'WebFleetSpotBurstASG'));
    const primary = boot(() => undefined, { CWT_SIGNAL_RESOURCE_TAG: 'cdk-web-tiers:signal-resource' });
    expect(primary.awsCalls[primary.awsCalls.length - 1]).toBe(SUCCESS);
    // A tier without a burst group does not ask.
    const plain = boot(() => undefined);
    expect(plain.awsCalls.some(c => c.startsWith('ec2 describe-tags'))).toBe(false);
  });

  test('a boot cut short by the pool\'s stop right after CONTINUE does not run again at the next start: the resume service readies the instance', () => {
    const first = boot(script => {
      script.addStep({ name: 'warm-pool', phase: BootPhase.PREPARE, script: 'touch "$CWT_ETC/warm-pool"; echo ran >> "$CWT_ETC/runs"' });
    }, {}, { targetLifecycleState: 'Warmed:Stopped' });
    expect(first.status).toBe(0);
    // The same user data again on the same disk (the lab's cloud-final ran it again after the stop).
    const etc = path.join(first.home, '..', 'etc');
    const again = spawnSync('bash', [path.join(first.home, '..', 'user-data.sh')], {
      env: { PATH: `${path.join(first.home, '..', 'bin')}:/usr/bin:/bin`, CWT_HOME: first.home, CWT_LOG_DIR: path.join(first.home, '..', 'log'), CWT_ETC: etc, CWT_RETRY_SECONDS: '0', CWT_POLL_SECONDS: '0' },
      encoding: 'utf-8', timeout: 30_000,
    });
    expect(again.status).toBe(0);
    expect(fs.readFileSync(path.join(etc, 'runs'), 'utf-8')).toBe('ran\n');
    expect(again.stdout).toContain('prepared for the warm pool already: the resume service readies this instance');
  });

  test('the same instance without a warm pool step boots into service even if metadata says Warmed', () => {
    const run = boot(() => undefined, {}, { targetLifecycleState: 'Warmed:Stopped' });
    expect(run.awsCalls.slice(-2)).toEqual([CONTINUE, SUCCESS]);
  });

  test('a failing step signals FAILURE with its name, abandons the launch, and later steps do not run', () => {
    const run = boot(script => {
      script.addStep({ name: 'clone', phase: BootPhase.FETCH_CODE, script: 'echo "fatal: repository not found" >&2; exit 128' });
      script.addStep({ name: 'start', phase: BootPhase.START, script: 'echo SHOULD-NOT-RUN' });
    });
    expect(run.status).toBe(1);
    expect(run.awsCalls.slice(-3)).toEqual([
      SUCCESS.replace('SUCCESS', 'FAILURE'),
      'autoscaling describe-auto-scaling-instances --region eu-west-1 --instance-ids i-0123456789abcdef0 --query AutoScalingInstances[0].AutoScalingGroupName --output text',
      ABANDON,
    ]);
    expect(run.awsCalls).not.toContainEqual(CONTINUE);
    expect(run.log).toContain('fatal: repository not found');
    expect(run.log).toContain('BOOT FAILED: step clone (fetch-code) failed');
    expect(run.log).not.toContain('SHOULD-NOT-RUN');
  });

  test('a signal that fails (throttling) is retried until it arrives', () => {
    const run = boot(() => undefined, {}, { signalFailures: 2 });
    expect(run.status).toBe(0);
    expect(run.awsCalls.filter(c => c === SUCCESS)).toHaveLength(3);
    expect(run.log).toContain('signal SUCCESS: attempt 1 of 8 failed: An error occurred (Throttling)');
    expect(run.log).toContain('signal SUCCESS sent');
  });

  test('outside a deployment CloudFormation\'s "cannot be signaled" is harmless and not retried', () => {
    const run = boot(() => undefined, {}, { noDeployment: true });
    expect(run.status).toBe(0);
    expect(run.awsCalls.filter(c => c === SUCCESS)).toHaveLength(1);
    expect(run.log).toContain('signal SUCCESS: not needed');
  });

  test('a signal that keeps failing is tried 8 times, then the boot says CloudFormation will time out', () => {
    const run = boot(() => undefined, {}, { signalFailures: 100 });
    expect(run.awsCalls.filter(c => c === SUCCESS)).toHaveLength(8);
    expect(run.log).toContain('could not be sent: CloudFormation will wait for its timeout');
  });

  test('the readiness deadline counts from the start of the boot, not from the readiness step', () => {
    const run = boot(script => {
      script.addStep({ name: 'slow-build', phase: BootPhase.BUILD, script: 'sleep 2' });
      script.addStep({ name: 'ready', phase: BootPhase.SIGNAL, script: 'echo "left: $(( CWT_READY_DEADLINE - $(date +%s) ))"' });
    }, { CWT_READY_TIMEOUT_SECONDS: '100' });
    expect(run.status).toBe(0);
    const left = Number(/left: (\d+)/.exec(run.log)![1]);
    expect(left).toBeLessThanOrEqual(98);
    expect(left).toBeGreaterThan(90);
  });

  test('an unset variable or a failing pipe inside a step fails it (set -euo pipefail)', () => {
    expect(boot(s => s.addStep({ name: 'unset', phase: BootPhase.BUILD, script: 'echo "$NOT_SET"' })).status).toBe(1);
    expect(boot(s => s.addStep({ name: 'pipe', phase: BootPhase.BUILD, script: 'false | cat' })).status).toBe(1);
  });
});

test('an environment variable name that bash cannot export is refused when the step is added', () => {
  const script = new BootScript({});
  expect(() => script.addStep({ name: 'bad-env', phase: BootPhase.START, script: 'true', environment: { 'MY-VAR': 'x' } }))
    .toThrow(/environment variable name "MY-VAR"/);
});
