// Boots Karma Labs' three tiers (Web and Api behind the load balancer, the Brain as a
// SingletonWorker) from the user data of the synthesized template. Their images are pre-baked
// (Packer): the lab bakes a stand-in image per tier with the app and its own systemd unit.
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Lab, LAB_DIR, waitFor } from './lab/lab';
import { expectBootSucceeded, expectStepFailed, signalsOf } from './lab/assertions';
import { expectDeclaredBootCovers } from './lab/declared-boot';
import { LabStack, prepareStack, showValue } from './lab/stacks';

const BOOT_TIMEOUT = 240_000;
const TIERS = ['Web', 'Api', 'Brain'] as const;
type TierName = typeof TIERS[number];
const APP_PORT: Record<TierName, number> = { Web: 8080, Api: 8080, Brain: 9000 };

let lab: Lab;
let stack: LabStack;
const launchedAt: Record<string, number> = {};
const instances = {} as Record<TierName, Instance>;
const broken = {} as Record<TierName, Instance>;

/** What Packer bakes into each Karma image: the app, its user and a unit that starts it at boot. */
function bakedImage(tier: TierName) {
  return {
    files: {
      '/opt/karma/server.js': fs.readFileSync(path.join(LAB_DIR, 'app', 'server.js'), 'utf-8'),
      '/etc/systemd/system/karma-app.service': [
        '[Unit]', `Description=Karma Labs ${tier} (baked into the image)`, 'After=network-online.target', '',
        '[Service]', 'User=webapp', 'Group=webapp', `Environment=PORT=${APP_PORT[tier]}`, 'ExecStart=/usr/bin/node /opt/karma/server.js',
        'Restart=on-failure', 'RestartSec=2', '', '[Install]', 'WantedBy=multi-user.target', '',
      ].join('\n'),
    },
    bake: [
      'useradd --system --create-home --home-dir /home/webapp --shell /usr/sbin/nologin webapp',
      'systemctl enable karma-app.service',
    ],
  };
}

beforeAll(async () => {
  lab = await Lab.start('karma');
  stack = prepareStack(lab, 'KarmaLabs');
  for (const name of TIERS) {
    const tier = stack.tiers[name];
    if (tier.targetGroup) lab.setTargets({ targetGroups: { [tier.targetGroup.arn]: tier.targetGroup } });
    const groupName = stack.context.refs![tier.groupId];
    launchedAt[name] = Date.now();
    instances[name] = await lab.launch({ name: name.toLowerCase(), userData: tier.userData, groupName, ...bakedImage(name) });
    const image = bakedImage(name);
    broken[name] = await lab.launch({
      name: `${name.toLowerCase()}x`, userData: tier.userData, groupName, bake: image.bake,
      files: { ...image.files, '/etc/cdk-web-tiers-lab/dnf-unavailable': 'amazon-cloudwatch-agent\n' },
    });
  }
  await Promise.all(lab.instances.map(i => i.waitForBoot(BOOT_TIMEOUT)));
}, BOOT_TIMEOUT + 120_000);

afterAll(async () => {
  await lab?.stop();
}, 120_000);

describe.each(TIERS)('Karma Labs %s tier, booted from the template', name => {
  test('the boot time the group declares (a baked image) covers the measured boot', () => {
    expectDeclaredBootCovers(stack, stack.tiers[name].groupId, instances[name], launchedAt[name]);
  });

  const booted = () => {
    expectBootSucceeded(lab, instances[name], 'KarmaLabs', stack.tiers[name].groupId);
    return instances[name];
  };

  test('the boot signals SUCCESS for the tier\'s group', () => {
    booted();
  });

  test('a failing step signals FAILURE with the step\'s name in the log and abandons the launch', () => {
    expectStepFailed(lab, broken[name], 'KarmaLabs', stack.tiers[name].groupId, 'cloudwatch-agent');
    const abandon = lab.calls('CompleteLifecycleAction').filter(c => c.params.InstanceId === broken[name].instanceId);
    expect(abandon.map(c => c.params.LifecycleActionResult)).toEqual(['ABANDON']);
  });

  test('the app runs as the app user and restarts when it dies', async () => {
    const instance = booted();
    const pid = showValue(instance.run('systemctl show karma-app.service -p MainPID'), 'MainPID');
    expect(Number(pid)).toBeGreaterThan(0);
    expect(instance.run(`ps -o user= -p ${pid}`).trim()).toBe('webapp');
    instance.run(`kill -KILL ${pid}`);
    await waitFor('the app to come back', 60_000, () => {
      const now = showValue(instance.exec('systemctl show karma-app.service -p MainPID').stdout, 'MainPID');
      return now !== '0' && now !== pid && instance.exec(`curl -fsS -o /dev/null http://127.0.0.1:${APP_PORT[name]}/`).code === 0;
    });
  });

  test('the launch lifecycle hook is completed only after the app is ready, and SUCCESS comes after', () => {
    const instance = booted();
    const started = instance.run('journalctl -u karma-app.service -o short-unix --no-pager | grep -m1 Started || true').trim();
    const completed = lab.calls('CompleteLifecycleAction').find(c => c.params.InstanceId === instance.instanceId);
    expect(completed?.params).toEqual(expect.objectContaining({
      LifecycleActionResult: 'CONTINUE', AutoScalingGroupName: stack.context.refs![stack.tiers[name].groupId],
    }));
    expect(completed!.time).toBeGreaterThan(Number(started.split(' ')[0]));
    const signal = signalsOf(lab, instance).find(c => c.params.Status === 'SUCCESS')!;
    expect(signal.time).toBeGreaterThanOrEqual(completed!.time);
    if (stack.tiers[name].targetGroup) {
      // Behind the load balancer: SUCCESS only once the target group counts the instance healthy.
      const healthy = lab.calls('DescribeTargetHealth').find(c => c.answers?.[instance.instanceId] === 'healthy');
      expect(healthy).toBeDefined();
      expect(signal.time).toBeGreaterThanOrEqual(healthy!.time);
    }
  });

  test('a reboot brings the app back and the user data does not run again', async () => {
    const instance = booted();
    const before = signalsOf(lab, instance).length;
    await instance.reboot();
    await waitFor('the app after the reboot', 60_000, () =>
      instance.exec(`curl -fsS -o /dev/null http://127.0.0.1:${APP_PORT[name]}/`).code === 0);
    expect(instance.read('/var/log/cloud-init-output.log').match(/running user data/g)).toHaveLength(1);
    expect(signalsOf(lab, instance)).toHaveLength(before);
    if (name === 'Brain') expect(instance.run('systemctl is-active cdk-web-tiers-health.timer').trim()).toBe('active');
  }, 240_000);
});

describe('Karma Labs Brain (SingletonWorker) health reporter', () => {
  test('its timer runs the health command every 30 s', () => {
    const brain = instances.Brain;
    expectBootSucceeded(lab, brain, 'KarmaLabs', stack.tiers.Brain.groupId);
    const timer = brain.run('systemctl show cdk-web-tiers-health.timer -p TimersMonotonic -p ActiveState -p UnitFileState');
    expect(showValue(timer, 'ActiveState')).toBe('active');
    expect(showValue(timer, 'UnitFileState')).toBe('enabled');
    expect(showValue(timer, 'TimersMonotonic')).toMatch(/OnUnitActiveUSec=30s/);
  });

  test('a failing health command reports the instance unhealthy after 3 failures, not before', () => {
    const brain = instances.Brain;
    expectBootSucceeded(lab, brain, 'KarmaLabs', stack.tiers.Brain.groupId);
    const reports = () => lab.calls('SetInstanceHealth').filter(c => c.params.InstanceId === brain.instanceId);
    brain.run('systemctl stop cdk-web-tiers-health.timer');
    // After the reboot of the test before, failures count only once the app has answered since the
    // boot (or the grace has passed): a failure now, before any answer, is not counted.
    brain.run('rm -f /run/cdk-web-tiers/health-answered /run/cdk-web-tiers/health-failures && mkdir -p /var/lib/lab-app && touch /var/lib/lab-app/unhealthy');
    brain.run('systemctl start cdk-web-tiers-health.service || true', 60_000);
    expect(brain.read('/var/log/cdk-web-tiers/health.log')).toMatch(/before the app answered: not counted/);
    // The app answers once, then fails: from here every failure counts.
    brain.run('rm -f /var/lib/lab-app/unhealthy && systemctl start cdk-web-tiers-health.service');
    // The checks run one by one here, as the timer would run them every 30 s.
    brain.run('touch /var/lib/lab-app/unhealthy');
    try {
      for (let check = 1; check <= 3; check++) {
        // On failure, the health log and the journal say which checks failed and when.
        expect({ reports: reports(), log: brain.read('/var/log/cdk-web-tiers/health.log'), journal: check === 1 ? brain.run('journalctl -b -u cdk-web-tiers-health.service -u karma-app.service --no-pager | tail -40') : '' })
          .toEqual(expect.objectContaining({ reports: [] }));
        brain.run('systemctl start cdk-web-tiers-health.service || true', 60_000);
      }
      expect(reports().map(c => c.params)).toEqual([expect.objectContaining({ HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: 'false' })]);
      expect(brain.read('/var/log/cdk-web-tiers/health.log')).toMatch(/health command failed \(3 of 3\)/);
    } finally {
      brain.run('rm -f /var/lib/lab-app/unhealthy && systemctl start cdk-web-tiers-health.timer');
    }
  });
});
