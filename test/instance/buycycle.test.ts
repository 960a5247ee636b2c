// Boots Buycycle's web tier (warm pool, Spot above an on-demand baseline) from the user data of the
// synthesized template, under systemd, and takes its instances through what Auto Scaling and EC2 do
// to them: launched into the warm pool, stopped, started again when they leave it (after a new
// commit, or after a deployment made their launch template version old), and a Spot interruption
// notice. The lab builds Buycycle from git (the example's pre-baked image does not exist here).
import { AwsCall, APP_REPOSITORIES, Instance, Lab, waitFor } from './lab/lab';
import { bootSummary, signalsOf } from './lab/assertions';
import { LabStack, prepareStack, showValue, Tier } from './lab/stacks';

const BOOT_TIMEOUT = 300_000;
const TARGET_LIFECYCLE_STATE = 'autoscaling/target-lifecycle-state';
const SPOT_ACTION = 'spot/instance-action';
let lab: Lab;
let stack: LabStack;
let tier: Tier;
let groupName: string;
/** Leaves the pool with a new commit to pull, then gets a Spot interruption notice. */
let fresh: Instance;
/** Leaves the pool after a deployment moved the group to a newer launch template version. */
let stale: Instance;
let firstCommit: string;

function callsOf(instance: Instance, action: string): AwsCall[] {
  return lab.calls(action).filter(c => c.client === instance.ip);
}

function completions(instance: Instance): AwsCall[] {
  return lab.calls('CompleteLifecycleAction').filter(c => c.params.InstanceId === instance.instanceId && !c.fault);
}

/** The app's view of itself: its process and the build it runs (dist/build.json of /var/app/current). */
function app(instance: Instance): { pid: number; build: { commit: string | null } | null } {
  return JSON.parse(instance.run('curl -fsS http://127.0.0.1:8080/env'));
}

/** "Started" lines of webapp.service in the journal of the current boot (times in seconds). */
function appStartsThisBoot(instance: Instance): number[] {
  return instance.run('journalctl -b -u webapp.service -o short-unix --no-pager | grep "Started" || true')
    .split('\n').filter(Boolean).map(line => Number(line.split(' ')[0]));
}

/** Auto Scaling takes the instance out of the warm pool: it starts the stopped instance, InService is its target. */
async function leaveWarmPool(instance: Instance): Promise<void> {
  lab.setLifecycleState(instance.instanceId, 'Pending:Wait');
  instance.setMetadata(TARGET_LIFECYCLE_STATE, 'InService');
  await instance.boot();
}

beforeAll(async () => {
  lab = await Lab.start('buycycle');
  stack = prepareStack(lab, 'Buycycle');
  tier = stack.tiers.Web;
  groupName = stack.context.refs![tier.groupId];
  firstCommit = lab.headCommit(APP_REPOSITORIES.Buycycle);
  // The stack exists: no create or update is in progress, so CloudFormation refuses signals.
  lab.setSignalable(false);
  lab.setTargets({
    targetGroups: { [tier.targetGroup!.arn]: tier.targetGroup! },
    groupLaunchTemplates: { [groupName]: { version: '1', mixed: tier.mixedInstances } },
  });
  // Both launched into the warm pool from launch template version 1: Warmed:Pending:Wait, and the
  // metadata says where Auto Scaling is taking them.
  for (const name of ['bc1', 'bc2']) {
    const instance = await lab.launch({
      name, userData: tier.userData, groupName,
      lifecycleState: 'Warmed:Pending:Wait', metadata: { [TARGET_LIFECYCLE_STATE]: 'Warmed:Stopped' },
    });
    lab.setTargets({ launchTemplateVersions: { [instance.instanceId]: '1' } });
  }
  [fresh, stale] = lab.instances;
  await Promise.all(lab.instances.map(i => i.waitForBoot(BOOT_TIMEOUT)));
}, BOOT_TIMEOUT + 120_000);

afterAll(async () => {
  await lab?.stop();
}, 120_000);

describe('Buycycle web tier, booted from the template into its warm pool', () => {
  test('the template is Buycycle\'s: a warm pool on the On-Demand group, a Spot burst group, the resume and drain steps in the user data', () => {
    const group = stack.template.Resources[tier.groupId].Properties;
    expect(tier.mixedInstances).toBe(true);
    expect(group.MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity).toBe(100);
    const burst = Object.values<any>(stack.template.Resources).filter(r => r.Metadata?.['cdk-web-tiers:spotBurstOf'] === tier.groupId);
    expect(burst.map(b => b.Properties.MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity)).toEqual([0]);
    const pools = Object.values<any>(stack.template.Resources).filter(r => r.Type === 'AWS::AutoScaling::WarmPool');
    expect(pools).toHaveLength(1);
    expect(pools[0].Properties.PoolState).toBe('Stopped');
    expect(tier.userData).toMatch(/run_step warm-pool prepare/);
    expect(tier.userData).toMatch(/run_step spot-drain start/);
    expect(tier.userData).toMatch(/run_step git-clone fetch-code/);
  });

  test('first boot into the pool: the app is built, the launch completes into the pool (Warmed), no signal, no target group, the resume service waits', () => {
    for (const instance of [fresh, stale]) {
      const summary = bootSummary(lab, instance);
      expect({ rc: instance.userDataExitCode(), summary }).toEqual({ rc: 0, summary });
      expect(instance.bootLog()).toContain('prepared for the warm pool');
      // Built from the repository's commit, and serving it.
      expect(app(instance).build?.commit).toBe(firstCommit);
      // The lifecycle action of the launch into the pool (Warmed:Pending:Wait) is completed, as
      // Auto Scaling requires before it stops the instance; nothing puts it in service.
      expect(completions(instance).map(c => [c.state, c.params.LifecycleActionResult])).toEqual([['Warmed:Pending:Wait', 'CONTINUE']]);
      expect(lab.lifecycleState(instance.instanceId)).toBe('Warmed:Stopped');
      expect(signalsOf(lab, instance)).toEqual([]);
      expect(callsOf(instance, 'DescribeTargetHealth')).toEqual([]);
      expect(instance.run('systemctl is-enabled cdk-web-tiers-warm-resume.service').trim()).toBe('enabled');
      // The pool's recycler runs on a timer (it acts only while the instance is in service).
      expect(instance.run('systemctl is-enabled cdk-web-tiers-warm-recycle.timer').trim()).toBe('enabled');
      expect(instance.run('systemctl is-active cdk-web-tiers-warm-resume.service').trim()).toBe('active');
      expect(instance.read('/var/log/cdk-web-tiers/warm-pool.log')).toContain('in the warm pool: waiting for Auto Scaling to take the instance out');
      expect(instance.read('/var/log/cdk-web-tiers/warm-pool.log')).not.toContain('leaving the warm pool');
      expect(instance.exec('test -f /etc/cdk-web-tiers/warm-pool-prepared').code).toBe(0);
    }
  });

  test('leaving the pool after a new commit: fetch-code and build run again, the app restarts on the new commit, then CONTINUE', async () => {
    // Auto Scaling stops the prepared instance; meanwhile a commit lands on main.
    await fresh.powerOff();
    const commit = lab.pushCommit(APP_REPOSITORIES.Buycycle, { 'RELEASE': 'spring sale\n' }, 'Spring sale banner');
    expect(commit).not.toBe(firstCommit);
    const leftAt = Date.now() / 1000;
    await leaveWarmPool(fresh);
    const done = await waitFor('the lifecycle action of leaving the pool', 240_000, () => completions(fresh).find(c => c.time > leftAt))
      .catch(e => { throw new Error(`${e.message}\n${fresh.read('/var/log/cdk-web-tiers/warm-pool.log')}\n${bootSummary(lab, fresh)}`); });
    // The proxy records the call before the CLI returns and the service logs it.
    await waitFor('the resume service to log the completion', 30_000, () => fresh.read('/var/log/cdk-web-tiers/warm-pool.log').includes('lifecycle action completed'));
    const log = fresh.read('/var/log/cdk-web-tiers/warm-pool.log');
    expect({ result: done.params.LifecycleActionResult, state: done.state, log }).toEqual({ result: 'CONTINUE', state: 'Pending:Wait', log });
    expect(done.params.AutoScalingGroupName).toBe(groupName);
    expect(lab.lifecycleState(fresh.instanceId)).toBe('InService');
    expect(log).toMatch(/running step git-clone \(fetch-code\) again/);
    expect(log).toMatch(/running step build \(build\) again/);
    expect(log).toMatch(/lifecycle action completed: CONTINUE/);
    // The app serves the new commit's build, from a process started after the boot's own start
    // (the resume restarted it) and before the lifecycle action was completed.
    expect(app(fresh).build?.commit).toBe(commit);
    const starts = appStartsThisBoot(fresh);
    expect(starts.length).toBe(2);
    expect(starts[1]).toBeLessThan(done.time);
    expect(fresh.run('ls /var/app/releases').trim().split('\n')).toHaveLength(2);
    expect(fresh.exec('test -f /etc/cdk-web-tiers/warm-pool-prepared').code).not.toBe(0);
    // Leaving the pool, it signals SUCCESS once the target group counts it healthy (during a rolling
    // update CloudFormation counts it); with no update in progress CloudFormation refuses it, harmlessly.
    await waitFor('the signal after leaving the pool', 90_000, () => signalsOf(lab, fresh).length > 0);
    expect(signalsOf(lab, fresh).map(c => [c.params.Status, c.fault?.code])).toEqual([['SUCCESS', 'ValidationError']]);
    await waitFor('the resume service to end', 30_000, () => fresh.exec('systemctl is-active cdk-web-tiers-warm-resume.service').stdout.trim() !== 'active');
    expect(fresh.read('/var/log/cdk-web-tiers/warm-pool.log')).toMatch(/healthy in the target group\n.*signal SUCCESS: not needed, no deployment in progress/);
  }, 300_000);

  test('leaving the pool after a deployment (newer launch template version): ABANDON, no fetch, no build, no app restart', async () => {
    await stale.powerOff();
    lab.setTargets({ groupLaunchTemplates: { [groupName]: { version: '2', mixed: tier.mixedInstances } } });
    const leftAt = Date.now() / 1000;
    try {
      await leaveWarmPool(stale);
      const done = await waitFor('the lifecycle action of leaving the pool', 120_000, () => completions(stale).find(c => c.time > leftAt))
        .catch(e => { throw new Error(`${e.message}\n${stale.read('/var/log/cdk-web-tiers/warm-pool.log')}`); });
      const log = stale.read('/var/log/cdk-web-tiers/warm-pool.log');
      expect({ result: done.params.LifecycleActionResult, state: done.state, log }).toEqual({ result: 'ABANDON', state: 'Pending:Wait', log });
      expect(log).toMatch(/built from launch template version 1, the group is at 2: abandoning/);
      expect(log).not.toMatch(/running step/);
      expect(lab.calls('DescribeAutoScalingGroups').filter(c => c.client === stale.ip && c.time > leftAt)).not.toEqual([]);
      // Once the resume service has ended, the app was only started by systemd at boot.
      await waitFor('the resume service to end', 30_000, () =>
        stale.exec('systemctl is-active cdk-web-tiers-warm-resume.service').stdout.trim() !== 'active');
      expect(appStartsThisBoot(stale)).toHaveLength(1);
      expect(stale.run('journalctl -b -u webapp.service --no-pager')).not.toMatch(/Stopping/);
      expect(stale.run('ls /var/app/releases').trim().split('\n')).toHaveLength(1);
      expect(app(stale).build?.commit).toBe(firstCommit);
      expect(lab.lifecycleState(stale.instanceId)).toBe('Terminating');
      expect(signalsOf(lab, stale)).toEqual([]);
    } finally {
      lab.setTargets({ groupLaunchTemplates: { [groupName]: { version: '1', mixed: tier.mixedInstances } } });
      // Auto Scaling terminates an abandoned instance: it stops taking the lab's two cores.
      await stale.stop();
    }
  }, 300_000);

  test('a Spot interruption notice: no deregistration before it, DeregisterTargets of its own id and target group after it', async () => {
    const unit = fresh.run('systemctl show cdk-web-tiers-spot-drain.service -p ActiveState -p UnitFileState');
    expect(showValue(unit, 'ActiveState')).toBe('active');
    expect(showValue(unit, 'UnitFileState')).toBe('enabled');
    // It has been polling (the notice path answered 404) since the first boot, and called nothing.
    const since = Date.now() / 1000;
    await waitFor('a poll of spot/instance-action', 20_000, () =>
      fresh.metadataRequests().filter(l => l.includes('/latest/meta-data/spot/instance-action') && l.includes(' 404 ')).length >= 2);
    expect(lab.calls('DeregisterTargets')).toEqual([]);
    const noticeAt = Date.now() / 1000;
    fresh.setMetadata(SPOT_ACTION, JSON.stringify({ action: 'terminate', time: new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z') }));
    const call = await waitFor('DeregisterTargets', 30_000, () => lab.calls('DeregisterTargets')[0]);
    expect(call.client).toBe(fresh.ip);
    expect(call.params).toEqual({ 'TargetGroupArn': tier.targetGroup!.arn, 'Targets.member.1.Id': fresh.instanceId });
    // Within one poll interval (5 s) and the call's own time.
    expect(call.time - noticeAt).toBeLessThan(15);
    expect(call.time).toBeGreaterThan(since);
    expect(fresh.read('/var/log/cdk-web-tiers/spot.log')).toMatch(/Spot interruption notice: \{"action": ?"terminate".*leaving the target group/);
    await waitFor('the drain service to end', 20_000, () =>
      showValue(fresh.exec('systemctl show cdk-web-tiers-spot-drain.service -p ActiveState').stdout, 'ActiveState') === 'inactive');
    expect(lab.calls('DeregisterTargets')).toHaveLength(1);
  }, 120_000);
});
