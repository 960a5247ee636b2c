// Boots Kwizly's web tier (git clone, npm build, env secret, EFS uploads, joblock) from the user
// data of the synthesized template, under systemd, and checks what a deploy would see.
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Lab, waitFor } from './lab/lab';
import { bootSummary, expectBootSucceeded, expectStepFailed, lifecycleOrder, signalsOf } from './lab/assertions';
import { expectDeclaredBootCovers } from './lab/declared-boot';
import { DATABASE_EXPECTED, KWIZLY_ENV_EXPECTED, LabStack, prepareStack, showValue, Tier } from './lab/stacks';

const BOOT_TIMEOUT = 300_000;
let lab: Lab;
let stack: LabStack;
let tier: Tier;
let web1: Instance;
let web2: Instance;
let broken: Instance;
let bothBootedAt = 0;
let launchedAt = 0;

/** Tests that read a running instance first check that its boot succeeded (else its log is the answer). */
function booted(...instances: Instance[]): void {
  for (const instance of instances) expectBootSucceeded(lab, instance, 'Kwizly', tier.groupId);
}

beforeAll(async () => {
  lab = await Lab.start('kwizly');
  stack = prepareStack(lab, 'Kwizly');
  tier = stack.tiers.Web;
  const groupName = stack.context.refs![tier.groupId];
  lab.setTargets({ targetGroups: { [tier.targetGroup!.arn]: tier.targetGroup! } });
  launchedAt = Date.now();
  web1 = await lab.launch({ name: 'web1', userData: tier.userData, groupName });
  web2 = await lab.launch({ name: 'web2', userData: tier.userData, groupName });
  // web2's first signal call fails as a whole: throttled on each of the AWS CLI's own 3 attempts.
  lab.fault('SignalResource', ...[1, 2, 3].map(() => ({ code: 'Throttling', message: 'Rate exceeded', client: web2.ip })));
  // An instance whose package repository is unreachable: its boot must fail at that step.
  broken = await lab.launch({
    name: 'web3', userData: tier.userData, groupName,
    files: { '/etc/cdk-web-tiers-lab/dnf-unavailable': 'amazon-cloudwatch-agent\n' },
  });
  await Promise.all(lab.instances.map(i => i.waitForBoot(BOOT_TIMEOUT)));
  bothBootedAt = Date.now() / 1000;
}, BOOT_TIMEOUT + 120_000);

afterAll(async () => {
  await lab?.stop();
}, 120_000);

describe('Kwizly web tier, booted from the template', () => {
  test('the boot time the group declares (packages, clone and build at boot) covers the measured boot', () => {
    expectDeclaredBootCovers(stack, tier.groupId, web1, launchedAt);
  });

  test('the boot signals SUCCESS for the tier\'s group', () => {
    expectBootSucceeded(lab, web1, 'Kwizly', tier.groupId);
  });

  test('a signal that fails (throttled) is retried and arrives', () => {
    const calls = signalsOf(lab, web2);
    expect(calls.filter(c => c.fault).map(c => c.fault!.code)).toEqual(['Throttling', 'Throttling', 'Throttling']);
    const success = calls.filter(c => !c.fault && c.params.Status === 'SUCCESS');
    expect({ summary: bootSummary(lab, web2), arrived: success.length }).toEqual({ summary: bootSummary(lab, web2), arrived: 1 });
  });

  test('a failing step signals FAILURE with the step\'s name in the log', () => {
    expectStepFailed(lab, broken, 'Kwizly', tier.groupId, 'cloudwatch-agent');
  });

  test('the app runs as the app user and restarts when it dies', async () => {
    booted(web1);
    const pid = showValue(web1.run('systemctl show webapp.service -p MainPID'), 'MainPID');
    expect(Number(pid)).toBeGreaterThan(0);
    expect(web1.run(`ps -o user= -p ${pid}`).trim()).toBe('webapp');
    expect(web1.run('systemctl is-enabled webapp.service').trim()).toBe('enabled');
    web1.run(`kill -KILL ${pid}`);
    const next = await waitFor('webapp to come back', 60_000, () => {
      const now = showValue(web1.exec('systemctl show webapp.service -p MainPID').stdout, 'MainPID');
      return now !== '0' && now !== pid && web1.exec('curl -fsS -o /dev/null http://127.0.0.1:8080/healthz').code === 0 ? now : undefined;
    });
    expect(web1.run(`ps -o user= -p ${next}`).trim()).toBe('webapp');
  });

  test('env values reach the app byte for byte, through systemd and through the build\'s bash', () => {
    booted(web1);
    const seen = JSON.parse(web1.run('curl -fsS http://127.0.0.1:8080/env'));
    const expected = { ...KWIZLY_ENV_EXPECTED, ...DATABASE_EXPECTED };
    const pick = (env: Record<string, string>) => Object.fromEntries(Object.keys(expected).map(k => [k, env[k]]));
    expect(pick(seen.env)).toEqual(expected);
    expect(pick(seen.build.env)).toEqual(expected);
    expect(seen.user).toBe('webapp');
    expect(seen.build.user).toBe('webapp');
  });

  test('a PORT key in the env secret does not move the app off the port the target group checks', () => {
    booted(web1);
    const seen = JSON.parse(web1.run(`curl -fsS http://127.0.0.1:${tier.targetGroup!.port}/env`));
    expect(seen.env.PORT).toBe(String(tier.targetGroup!.port));
  });

  test('the AL2023 install paths ran through dnf, EFS was mounted with TLS and IAM, the CloudWatch agent got its config', () => {
    booted(web1);
    const dnf = web1.read('/var/log/cdk-web-tiers-lab/dnf.log');
    expect(dnf).toMatch(/dnf install -y -q amazon-cloudwatch-agent$/m);
    expect(dnf).toMatch(/dnf install -y -q git nodejs npm$/m);
    expect(dnf).toMatch(/dnf install -y -q amazon-efs-utils$/m);
    const mount = web1.read('/var/log/cdk-web-tiers-lab/mount.efs.log');
    expect(mount).toMatch(/mount\.efs fs-\w+:\/ \/var\/app\/uploads \S*tls\S*/);
    expect(mount).toMatch(/iam/);
    expect(mount).toMatch(/accesspoint=fsap-\w+/);
    expect(web1.run('findmnt -n -o TARGET /var/app/uploads').trim()).toBe('/var/app/uploads');
    const agent = JSON.parse(web1.read('/var/log/cdk-web-tiers-lab/cloudwatch-agent.json'));
    const files = agent.logs.logs_collected.files.collect_list.map((f: any) => f.file_path);
    expect(files).toEqual(expect.arrayContaining(['/var/log/cdk-web-tiers/boot.log', '/var/log/cdk-web-tiers/app.log', '/var/log/cdk-web-tiers/jobs.log']));
  });

  test('the scheduled jobs have timers with the right OnCalendar', () => {
    booted(web1, web2);
    for (const instance of [web1, web2]) {
      const nightly = instance.run('systemctl show cdk-web-tiers-job-nightly-cleanup.timer -p TimersCalendar -p ActiveState -p UnitFileState');
      expect(showValue(nightly, 'TimersCalendar')).toMatch(/OnCalendar=\*-\*-\* 08:00:00 UTC/);
      expect(showValue(nightly, 'ActiveState')).toBe('active');
      expect(showValue(nightly, 'UnitFileState')).toBe('enabled');
      const service = instance.run('systemctl show cdk-web-tiers-job-nightly-cleanup.service -p User');
      expect(showValue(service, 'User')).toBe('webapp');
    }
  });

  test('the job\'s tick is the time its timer fired (LastTriggerUSec), not the time the job started', async () => {
    booted(web2);
    // Stop web2's minutely timer after it fired, then run the job in a later minute: the tick must
    // still name the minute the timer fired.
    await waitFor('lab-tick to have fired on web2', 90_000, () =>
      showValue(web2.run('systemctl show cdk-web-tiers-job-lab-tick.timer -p LastTriggerUSecMonotonic'), 'LastTriggerUSecMonotonic') !== '0');
    web2.run('systemctl stop cdk-web-tiers-job-lab-tick.timer');
    try {
      const fired = Number(web2.run('busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/cdk_2dweb_2dtiers_2djob_2dlab_2dtick_2etimer org.freedesktop.systemd1.Timer LastTriggerUSec').trim().split(' ')[1]);
      const firedMinute = Math.floor(fired / 60e6) * 60;
      await waitFor('the next minute', 70_000, () => Math.floor(Date.now() / 60_000) * 60 > firedMinute);
      const out = web2.run('sudo -u webapp JOBLOCK=/bin/echo /opt/cdk-web-tiers/bin/run-job lab-tick 50s 86400s');
      expect(out).toContain(`--tick ${firedMinute} `);
    } finally {
      web2.run('systemctl start cdk-web-tiers-job-lab-tick.timer');
    }
  }, 200_000);

  test('with two instances sharing one Redis, the every-minute job runs exactly once per tick', async () => {
    booted(web1, web2);
    const fsId = stack.context.refs![Object.keys(stack.template.Resources).find(id => stack.template.Resources[id].Type === 'AWS::EFS::FileSystem')!];
    const ticksFile = path.join(lab.efsDir, fsId, 'lab-ticks.log');
    // Whole minutes during which both instances were up with their timers running.
    const first = Math.ceil(bothBootedAt / 60) * 60 + 60;
    const ticks = [first, first + 60];
    await waitFor('two whole minutes with both instances up', 200_000, () => Date.now() / 1000 > ticks[1] + 20);
    const lines = fs.existsSync(ticksFile) ? fs.readFileSync(ticksFile, 'utf-8').split('\n').filter(Boolean) : [];
    for (const tick of ticks) {
      const minute = new Date(tick * 1000).toISOString().slice(0, 16);
      const runs = lines.filter(l => l.split(' ')[1]?.startsWith(minute));
      expect({ minute, runs: runs.length, lines }).toEqual({ minute, runs: 1, lines });
      // Both hosts tried that tick under the same name; the other one was told it was taken.
      for (const instance of [web1, web2]) {
        expect(instance.read('/var/log/cdk-web-tiers/jobs.log')).toContain(`job lab-tick: tick ${minute}`);
      }
    }
  }, 300_000);

  test('the launch lifecycle hook is completed only after the app is ready', () => {
    booted(web1);
    const hooks = Object.values<any>(stack.template.Resources).filter(r => r.Type === 'AWS::AutoScaling::LifecycleHook' &&
      r.Properties.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    const inline = Object.values<any>(stack.template.Resources).flatMap(r => r.Properties?.LifecycleHookSpecificationList ?? [])
      .filter((h: any) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
    expect(hooks.length + inline.length).toBe(1);
    const order = lifecycleOrder(lab, web1);
    expect(order.completed).toBeDefined();
    expect(order.completed!.params.LifecycleActionResult).toBe('CONTINUE');
    expect(order.completed!.params.AutoScalingGroupName).toBe(stack.context.refs![tier.groupId]);
    expect(order.completed!.time).toBeGreaterThan(order.appActive);
    // SUCCESS only once the load balancer counts the instance healthy (which needs it InService).
    expect(order.healthy).toBeDefined();
    expect(order.healthy!.time).toBeGreaterThan(order.completed!.time);
    expect(order.signalled!.time).toBeGreaterThanOrEqual(order.healthy!.time);
  });

  test('a reboot brings the app, the mount and the timers back, and the user data does not run again', async () => {
    booted(web1);
    const signalsBefore = signalsOf(lab, web1).length;
    await web1.reboot();
    await waitFor('webapp after the reboot', 60_000, () => web1.exec('curl -fsS -o /dev/null http://127.0.0.1:8080/healthz').code === 0);
    expect(web1.run('systemctl is-active webapp.service cdk-web-tiers-job-nightly-cleanup.timer cdk-web-tiers-job-lab-tick.timer').trim().split('\n'))
      .toEqual(['active', 'active', 'active']);
    expect(web1.run('findmnt -n -o TARGET /var/app/uploads').trim()).toBe('/var/app/uploads');
    expect(web1.read('/var/log/cloud-init-output.log').match(/running user data/g)).toHaveLength(1);
    expect(web1.run('journalctl -b -u lab-cloud-final.service --no-pager')).toContain('user data already ran');
    expect(signalsOf(lab, web1)).toHaveLength(signalsBefore);
    const seen = JSON.parse(web1.run('curl -fsS http://127.0.0.1:8080/env'));
    expect(seen.env.TLS_KEY).toBe(KWIZLY_ENV_EXPECTED.TLS_KEY);
  }, 240_000);
});

