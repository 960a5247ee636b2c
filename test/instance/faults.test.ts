// Faults on Kwizly's web tier, booted from the template's user data (issue 20): a git server that
// accepts the connection and never answers, a failure after the launch's CONTINUE, a reboot in the
// middle of the boot with user data run as cloud-init runs it, environment secrets that used to
// change silently (a byte order mark, a binary secret), and an app that crash-loops.
//
// What the library relies on, as documented:
// - cloud-init runs the user data once per instance and writes its semaphore BEFORE the script runs:
//   https://github.com/canonical/cloud-init/blob/main/cloudinit/helpers.py, Runners.run: "with
//   sem.lock(name, freq, clear_on_fail) as lk: ... return functor(*args)", where lock() yields
//   self._acquire(name, freq), which does "util.write_file(sem_file, contents)"; run() is called
//   with clear_on_fail=False. cloud-init-per(1): "instance: run only once for a given instance-id".
//   So a reboot in the middle of the user data never runs it again (the lab's cloud-final does the same).
// - SetInstanceHealth, https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetInstanceHealth.html,
//   HealthStatus: "Set to Unhealthy to have the instance be out of service. Amazon EC2 Auto Scaling
//   terminates and replaces the unhealthy instance."; and
//   https://docs.aws.amazon.com/autoscaling/ec2/userguide/set-up-a-custom-health-check.html: "mark
//   that particular instance as Unhealthy, which causes Amazon EC2 Auto Scaling to immediately
//   replace it" ... "you can override this behavior and not respect the grace period by including
//   the --no-should-respect-grace-period option."
// - systemd.unit(5) (systemd 252, https://www.freedesktop.org/software/systemd/man/252/systemd.unit.html):
//   OnFailure=: "A space-separated list of one or more units that are activated when this unit
//   enters the "failed" state."; StartLimitIntervalSec=, StartLimitBurst=: "Units which are started
//   more than burst times within an interval time span are not permitted to start any more." ...
//   "they apply to all kinds of starts (including manual)" ... "units which are configured for
//   Restart=, and which reach the start limit are not attempted to be restarted anymore".
// - ssh_config(5) (OpenSSH 9.2, https://man.openbsd.org/ssh_config#ConnectTimeout), ConnectTimeout:
//   "This timeout is applied both to establishing the connection and to performing the initial SSH
//   protocol handshake and key exchange."
import * as fs from 'fs';
import { Instance, Lab, LOCK_HOST, SERVICES_IP, waitFor } from './lab/lab';
import { bootSummary, expectBootSucceeded, expectStepFailed, signalsOf } from './lab/assertions';
import { GIT_HOST, KWIZLY_ENV_EXPECTED, KWIZLY_ENV_SECRET, LabStack, prepareStack, showValue, Tier } from './lab/stacks';

const BOOT_TIMEOUT = 420_000;
/** Where the hanging git server listens (the lab's services are on 10.77.0.1). */
const HANGING_IP = '10.77.0.2';
let lab: Lab;
let stack: LabStack;
let tier: Tier;
let groupName: string;
let hang: Instance;
let degrade: Instance;
let rebooted: Instance;
let bom: Instance;
let binary: Instance;
const launchedAt: Record<string, number> = {};
/** The last step the rebooted instance had started when the reboot was asked for. */
let rebootedDuring = '';

/** The tier's user data with another env secret and, optionally, another boot deadline. */
function userData(options: { envSecret?: string; deadlineSeconds?: number } = {}): string {
  let text = tier.userData;
  if (options.envSecret) text = text.split(':secret:kwizly/env\'').join(`:secret:${options.envSecret}'`);
  if (options.deadlineSeconds) text = text.replace(/^export CWT_READY_TIMEOUT_SECONDS='\d+'$/m, `export CWT_READY_TIMEOUT_SECONDS='${options.deadlineSeconds}'`);
  return text;
}

/** The lab's /etc/hosts, with the git server's name pointing at `gitIp`. */
function hosts(name: string, gitIp: string): string {
  return `127.0.0.1 localhost\n127.0.1.1 ${name}\n${gitIp} ${GIT_HOST}\n${SERVICES_IP} ${LOCK_HOST}\n`;
}

/** The names an env file sets (the first line of each NAME="value"), duplicates included. */
function envNames(text: string): string[] {
  return [...text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)="/gm)].map(m => m[1]);
}

beforeAll(async () => {
  lab = await Lab.start('faults');
  stack = prepareStack(lab, 'Kwizly');
  tier = stack.tiers.Web;
  groupName = stack.context.refs![tier.groupId];
  lab.setTargets({ targetGroups: { [tier.targetGroup!.arn]: tier.targetGroup! } });
  lab.seed({
    region: 'us-east-1',
    secrets: [
      { name: 'lab/env-bom', value: `\ufeff${KWIZLY_ENV_SECRET}` },
      { name: 'lab/env-binary', binary: Buffer.from(KWIZLY_ENV_SECRET).toString('base64') },
    ],
  });
  await lab.hangingServer(HANGING_IP, 22);
  const launch = async (name: string, options: Parameters<Lab['launch']>[0]) => {
    launchedAt[name] = Date.now() / 1000;
    return lab.launch(options);
  };
  hang = await launch('hang', { name: 'hang', userData: userData(), groupName, files: { '/etc/hosts': hosts('hang', HANGING_IP) } });
  binary = await launch('binary', { name: 'binary', userData: userData({ envSecret: 'lab/env-binary' }), groupName });
  degrade = await launch('degrade', { name: 'degrade', userData: userData({ deadlineSeconds: 200 }), groupName });
  // The load balancer's answer for this instance is denied from the start: its boot completes the
  // launch (CONTINUE) and then never sees the instance healthy.
  lab.fault('DescribeTargetHealth', ...Array.from({ length: 400 }, () => ({
    code: 'AccessDenied', status: 403, message: 'not authorized to perform: elasticloadbalancing:DescribeTargetHealth', client: degrade.ip,
  })));
  rebooted = await launch('rebooted', { name: 'rebooted', userData: userData(), groupName, files: { '/etc/cdk-web-tiers-lab/slow-build': '30\n' } });
  // Rebooted while its build step runs (npm ci, npm run build), as an operator or a kernel update might.
  const rebootMidBuild = (async () => {
    await waitFor('the build step to start on rebooted', BOOT_TIMEOUT, () => /build: npm run build/.test(rebooted.bootLog()));
    rebootedDuring = rebooted.bootLog().split('\n').filter(l => /step \S+ \(\S+\) started/.test(l)).pop() ?? '';
    await rebooted.reboot(180_000);
  })();
  bom = await launch('bom', { name: 'bom', userData: userData({ envSecret: 'lab/env-bom' }), groupName });
  await Promise.all([...[hang, binary, degrade, bom].map(i => i.waitForBoot(BOOT_TIMEOUT)), rebootMidBuild]);
}, BOOT_TIMEOUT + 180_000);

afterAll(async () => {
  await lab?.stop();
}, 120_000);

describe('faults on the instance (issue 20)', () => {
  test('a git server that accepts and never answers: the boot signals FAILURE naming git-clone and abandons, within minutes', () => {
    expectStepFailed(lab, hang, 'Kwizly', tier.groupId, 'git-clone');
    const failure = signalsOf(lab, hang).find(c => c.params.Status === 'FAILURE')!;
    // ssh gives up on the banner after ConnectTimeout (15 s) three times; CloudFormation waits 20 minutes.
    expect({ seconds: failure.time - launchedAt.hang < 240, summary: bootSummary(lab, hang) }).toEqual({ seconds: true, summary: bootSummary(lab, hang) });
    expect(hang.bootLog()).toMatch(/banner exchange|timed out/i);
    const abandon = lab.calls('CompleteLifecycleAction').filter(c => c.params.InstanceId === hang.instanceId);
    expect(abandon.map(c => c.params.LifecycleActionResult)).toEqual(['ABANDON']);
  });

  test('a binary env secret fails its step with a reason that says it is binary', () => {
    expectStepFailed(lab, binary, 'Kwizly', tier.groupId, 'app-env');
    expect(binary.bootLog()).toContain('it is stored as binary (SecretBinary), not text');
    expect(binary.bootLog()).not.toMatch(/line 1 is neither/);
  });

  test('a failure after CONTINUE (target health never comes) marks the instance unhealthy, so it does not stay in service', () => {
    const calls = lab.calls().filter(c => c.params.InstanceId === degrade.instanceId || c.params.UniqueId === degrade.instanceId);
    const completed = calls.filter(c => c.action === 'CompleteLifecycleAction');
    expect({ results: completed.map(c => c.params.LifecycleActionResult), summary: bootSummary(lab, degrade) })
      .toEqual({ results: ['CONTINUE'], summary: bootSummary(lab, degrade) });
    expect(signalsOf(lab, degrade).filter(c => !c.fault).map(c => c.params.Status)).toEqual(['FAILURE']);
    const health = calls.filter(c => c.action === 'SetInstanceHealth');
    expect(health.map(c => [c.params.HealthStatus, c.params.ShouldRespectGracePeriod])).toEqual([['Unhealthy', 'false']]);
    expect(health[0].time).toBeGreaterThan(completed[0].time);
    expect(degrade.bootLog()).toContain('BOOT FAILED: the load balancer did not count the instance healthy');
    expect(degrade.bootLog()).toContain('marked the instance unhealthy');
  });

  test('a reboot in the middle of the build: the user data does not run again, the resume unit finishes the boot, one SUCCESS, env file not duplicated', async () => {
    expect(rebootedDuring).toMatch(/step build \(build\) started/);
    await waitFor('the resumed boot to end', BOOT_TIMEOUT, () => fs.existsSync(rebooted.file('/etc/cdk-web-tiers/boot-done')));
    expect({ done: rebooted.read('/etc/cdk-web-tiers/boot-done'), summary: bootSummary(lab, rebooted) })
      .toEqual({ done: expect.stringMatching(/^success /), summary: bootSummary(lab, rebooted) });
    expect(signalsOf(lab, rebooted).filter(c => !c.fault).map(c => c.params.Status)).toEqual(['SUCCESS']);
    // cloud-init's semantics: marked before it ran, so the user data ran once.
    expect(rebooted.read('/var/log/cloud-init-output.log').match(/running user data/g)).toHaveLength(1);
    const log = rebooted.bootLog();
    expect(log).toContain('boot resumed after a restart');
    expect(log).toContain('step git-clone (fetch-code) finished before the restart: not run again');
    expect(rebooted.exec('curl -fsS -o /dev/null http://127.0.0.1:8080/healthz').code).toBe(0);
    const names = envNames(rebooted.read('/etc/cdk-web-tiers/app.env'));
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(rebooted.run('systemctl is-enabled cdk-web-tiers-boot.service || true').trim()).toBe('disabled');
  }, BOOT_TIMEOUT * 2);

  test('a byte order mark in the env secret is dropped: the app gets APP_NAME, not _APP_NAME', () => {
    expectBootSucceeded(lab, bom, 'Kwizly', tier.groupId);
    const seen = JSON.parse(bom.run('curl -fsS http://127.0.0.1:8080/env'));
    expect(seen.env.APP_NAME).toBe(KWIZLY_ENV_EXPECTED.APP_NAME);
    expect(seen.env._APP_NAME).toBeUndefined();
  });

  test('a crash-looping app trips its start limit and the instance is marked unhealthy', async () => {
    expectBootSucceeded(lab, bom, 'Kwizly', tier.groupId);
    bom.run("echo 'echo crashing >&2; exit 3' > /etc/cdk-web-tiers/start-command && systemctl restart webapp.service || true");
    try {
      // Failed for good (not "activating (auto-restart)"): systemd 252 keeps Result=exit-code when the
      // start limit stops the restarts.
      await waitFor('webapp to hit its start limit', 90_000, () =>
        showValue(bom.exec('systemctl show webapp.service -p ActiveState').stdout, 'ActiveState') === 'failed');
    } catch (e) {
      const status = bom.exec('systemctl status webapp.service --no-pager; systemctl show webapp.service -p NRestarts -p Result -p ActiveState -p StartLimitBurst -p StartLimitIntervalUSec; ' +
        'cat /etc/systemd/system/webapp.service; journalctl -u webapp.service --no-pager | tail -30');
      throw new Error(`${(e as Error).message}\n${status.stdout}${status.stderr}`, { cause: e });
    }
    expect(Number(showValue(bom.run('systemctl show webapp.service -p NRestarts'), 'NRestarts'))).toBeLessThanOrEqual(5);
    try {
      await waitFor('SetInstanceHealth from bom', 60_000, () =>
        lab.calls('SetInstanceHealth').some(c => c.params.InstanceId === bom.instanceId));
    } catch (e) {
      const status = bom.exec('systemctl status cdk-web-tiers-unhealthy@webapp.service.service --no-pager; cat /var/log/cdk-web-tiers/health.log');
      throw new Error(`${(e as Error).message}\n${status.stdout}${status.stderr}`, { cause: e });
    }
    const calls = lab.calls('SetInstanceHealth').filter(c => c.params.InstanceId === bom.instanceId);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every(c => c.params.HealthStatus === 'Unhealthy')).toBe(true);
    // Reported by the unit's OnFailure= (the liveness reporter may report it too, later).
    await waitFor('the OnFailure report in health.log', 30_000, () =>
      bom.read('/var/log/cdk-web-tiers/health.log').includes('webapp.service failed (start limit hit: crash loop): marking instance'));
  }, 240_000);
});
