// The lab plays CloudFormation: a stack update that changes a tier's launch template, applied with
// the group's UpdatePolicy from the synthesized template (rolling-update.ts), to the examples' real
// instances. Karma Labs (pre-baked image), Kwizly (git build) and Buycycle (git build, warm pool).
//
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html
// (AutoScalingRollingUpdate): "WaitOnResourceSignals: Specifies whether the Auto Scaling group waits
// on signals from new instances during an update." and "PauseTime: The amount of time that
// CloudFormation pauses after making a change to a batch of instances to give those instances time to
// start software applications."
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html:
// "Whenever your application needs to scale out, the Auto Scaling group can draw on the warm pool to
// meet its new desired capacity." and "CloudFormation replaces InService instances only. Instances in
// the warm pool are not replaced."
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Lab, LAB_DIR } from './lab/lab';
import { bootSummary } from './lab/assertions';
import { FakeGroup, LaunchTemplateVersion, rollingUpdatePolicy, UpdateResult } from './lab/rolling-update';
import { prepareStack } from './lab/stacks';

const BOOT_TIMEOUT = 420_000;
let lab: Lab;

beforeAll(async () => {
  lab = await Lab.start('rolling');
}, 300_000);

afterAll(async () => {
  await lab?.stop();
}, 120_000);

/** A launch template version N of a tier: its user data says which (as a new template's does). */
function version(n: number, userData: string, extra: Partial<LaunchTemplateVersion> = {}): LaunchTemplateVersion {
  return { version: String(n), userData: `${userData}\n# lab: launch template version ${n}\n`, ...extra };
}

function launchedFrom(instance: Instance): string {
  return /# lab: launch template version (\d+)/.exec(instance.read('/var/lib/cloud/instance/user-data.txt'))?.[1] ?? '?';
}

/** The app answers on the instance, and the load balancer (the proxy's probe) counts it healthy. */
function serving(instance: Instance, port: number, healthPath: string): boolean {
  return instance.exec(`curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:${port}${healthPath}`).code === 0 &&
    lab.lifecycleState(instance.instanceId) === 'InService';
}

function report(group: FakeGroup, result?: UpdateResult): string {
  return [`result: ${JSON.stringify(result)}`, ...group.events,
    ...[...group.inService, ...group.pool].map(i => bootSummary(lab, i).slice(-3000))].join('\n');
}

async function stopAll(group: FakeGroup | undefined): Promise<void> {
  if (!group) return;
  await Promise.all([...group.inService, ...group.pool].map(i => i.stop().catch(() => undefined)));
}

describe('Karma Labs web tier (pre-baked image): a new image rolls out batch by batch', () => {
  let group: FakeGroup | undefined;
  afterAll(() => stopAll(group), 120_000);

  test('every old instance is replaced, each new one signalled, and the new image serves', async () => {
    const stack = prepareStack(lab, 'KarmaLabs');
    const tier = stack.tiers.Web;
    lab.setTargets({ targetGroups: { [tier.targetGroup!.arn]: tier.targetGroup! } });
    const policy = rollingUpdatePolicy(stack.template, tier.groupId);
    const desired = Number(stack.template.Resources[tier.groupId].Properties.MinSize);
    const image = (release: number) => ({
      files: {
        '/opt/karma/server.js': fs.readFileSync(path.join(LAB_DIR, 'app', 'server.js'), 'utf-8'),
        '/etc/systemd/system/karma-app.service': ['[Unit]', 'After=network-online.target', '', '[Service]', 'User=webapp',
          `Environment=PORT=8080 RELEASE=${release}`, 'ExecStart=/usr/bin/node /opt/karma/server.js', 'Restart=on-failure', '',
          '[Install]', 'WantedBy=multi-user.target', ''].join('\n'),
      },
      bake: ['useradd --system --create-home --home-dir /home/webapp --shell /usr/sbin/nologin webapp', 'systemctl enable karma-app.service'],
    });
    group = new FakeGroup(lab, { name: stack.context.refs![tier.groupId], logicalId: tier.groupId, prefix: 'karma', launchTemplate: version(1, tier.userData, image(1)) });
    await group.create(desired, BOOT_TIMEOUT);
    const old = [...group.inService];
    const result = await group.update(version(2, tier.userData, image(2)), policy);
    expect({ status: result.status, report: report(group, result) }).toEqual({ status: 'UPDATE_COMPLETE', report: report(group, result) });
    expect(group.inService).toHaveLength(desired);
    for (const instance of group.inService) {
      expect(old).not.toContain(instance);
      expect(launchedFrom(instance)).toBe('2');
      expect(serving(instance, 8080, '/')).toBe(true);
      expect(JSON.parse(instance.run('curl -fsS http://127.0.0.1:8080/env')).env.RELEASE).toBe('2');
    }
    // Batches of MaxBatchSize, never below MinInstancesInService: the old ones went after the new ones signalled.
    expect(policy).toMatchObject({ waitOnResourceSignals: true });
    expect(group.terminated.filter(i => old.includes(i))).toHaveLength(desired);
    console.log(`Karma Labs web: ${result.status} in ${result.seconds} s\n${group.events.join('\n')}`);
  }, 1_800_000);
});

describe('Kwizly web tier (git build): a launch template change completes; a build that fails rolls back', () => {
  let group: FakeGroup | undefined;
  afterAll(() => stopAll(group), 120_000);
  let userData = '';
  let policy: ReturnType<typeof rollingUpdatePolicy>;
  let health = { port: 8080, path: '/' };

  test('the new version replaces every instance and serves', async () => {
    const stack = prepareStack(lab, 'Kwizly');
    const tier = stack.tiers.Web;
    userData = tier.userData;
    health = { port: tier.targetGroup!.port, path: tier.targetGroup!.path };
    lab.setTargets({ targetGroups: { [tier.targetGroup!.arn]: tier.targetGroup! } });
    policy = rollingUpdatePolicy(stack.template, tier.groupId);
    const desired = Number(stack.template.Resources[tier.groupId].Properties.MinSize);
    group = new FakeGroup(lab, { name: stack.context.refs![tier.groupId], logicalId: tier.groupId, prefix: 'kwizly', launchTemplate: version(1, userData) });
    await group.create(desired, BOOT_TIMEOUT);
    const result = await group.update(version(2, userData), policy);
    expect({ status: result.status, report: report(group, result) }).toEqual({ status: 'UPDATE_COMPLETE', report: report(group, result) });
    expect(group.inService).toHaveLength(desired);
    for (const instance of group.inService) {
      expect(launchedFrom(instance)).toBe('2');
      expect(serving(instance, tier.targetGroup!.port, tier.targetGroup!.path)).toBe(true);
    }
    console.log(`Kwizly web: ${result.status} in ${result.seconds} s\n${group.events.join('\n')}`);
  }, 1_800_000);

  test('a version whose build fails signals FAILURE: the update rolls back and the old instances keep serving', async () => {
    expect(group).toBeDefined();
    const broken = userData.replace(/npm run build/g, 'npm run build-that-does-not-exist');
    expect(broken).not.toBe(userData);
    const before = [...group!.inService];
    const result = await group!.update(version(3, broken), policy);
    expect({ status: result.status, report: report(group!, result) }).toEqual({ status: 'UPDATE_ROLLBACK_COMPLETE', report: report(group!, result) });
    expect(result.reason).toMatch(/^FAILURE signal from i-/);
    // The instances of version 2 never left service, and still serve.
    expect(group!.inService).toEqual(before);
    for (const instance of group!.inService) {
      expect(launchedFrom(instance)).toBe('2');
      expect(serving(instance, health.port, health.path)).toBe(true);
    }
    // The failed instance of version 3 was terminated.
    const failed = group!.terminated.filter(i => group!.version(i) === '3');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].bootLog()).toMatch(/BOOT FAILED: step build \(build\) failed/);
    console.log(`Kwizly web, failing build: ${result.status} in ${result.seconds} s (${result.reason})\n${group!.events.join('\n')}`);
  }, 1_800_000);
});

describe('Buycycle web tier (git build, warm pool): the update completes through the pool and leaves it current', () => {
  let group: FakeGroup | undefined;
  afterAll(() => stopAll(group), 120_000);

  test('instances drawn from the pool are counted (SUCCESS after CONTINUE), stale ones replaced, and the pool holds only the new version', async () => {
    lab.setSignalable(true);
    const stack = prepareStack(lab, 'Buycycle');
    const web = stack.tiers.Web;
    lab.setTargets({ targetGroups: { [web.targetGroup!.arn]: web.targetGroup! } });
    const policy = rollingUpdatePolicy(stack.template, web.groupId);
    const desired = Number(stack.template.Resources[web.groupId].Properties.MinSize);
    // The lab keeps one pooled instance (the template's pool is larger; each pooled instance here is a full build).
    group = new FakeGroup(lab, {
      name: stack.context.refs![web.groupId], logicalId: web.groupId, prefix: 'bc', launchTemplate: version(1, web.userData),
      mixedInstances: web.mixedInstances, warmPoolSize: 1, bootTimeoutMs: BOOT_TIMEOUT,
    });
    await group.create(desired, BOOT_TIMEOUT);
    expect(group.pool).toHaveLength(1);
    const result = await group.update(version(2, web.userData), policy);
    expect({ status: result.status, report: report(group, result) }).toEqual({ status: 'UPDATE_COMPLETE', report: report(group, result) });
    expect(group.inService).toHaveLength(desired);
    for (const instance of group.inService) {
      expect(launchedFrom(instance)).toBe('2');
      expect(serving(instance, web.targetGroup!.port, web.targetGroup!.path)).toBe(true);
    }
    // An instance that left the pool current (version 2) came into service and signalled: CloudFormation counted it.
    const fromPool = group.inService.filter(i => i.read('/var/log/cdk-web-tiers/warm-pool.log').includes('leaving the warm pool'));
    for (const instance of fromPool) {
      expect(instance.read('/var/log/cdk-web-tiers/warm-pool.log')).toMatch(/signal SUCCESS sent/);
    }
    // The pool holds only instances of the new version.
    await group.settleRecycling();
    await group.fillPool();
    expect(group.pool.length).toBeGreaterThan(0);
    expect(group.pool.map(i => group!.version(i))).toEqual(group.pool.map(() => '2'));
    console.log(`Buycycle web: ${result.status} in ${result.seconds} s (${fromPool.length} from the pool)\n${group.events.join('\n')}`);
  }, 2_400_000);
});
