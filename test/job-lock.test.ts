import { execFileSync } from 'child_process';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { JobLock, LockEngine, ScheduledJob, SingletonWorker, StatelessWebTier, TierNetwork } from '../lib';
import { cronToOnCalendar } from '../lib/common/cron';
import { bootFileText, logicalIdOf, newStack, runSteps, statementsOfRole, testCertificate, testSource, uploadedObject, userDataOf } from './helpers';

function setup() {
  const stack = newStack();
  const network = new TierNetwork(stack, 'Network');
  const web = new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
  const lock = new JobLock(stack, 'Lock', { vpc: network.vpc });
  return { stack, network, web, lock };
}

describe('JobLock', () => {
  test('replication group: encrypted in transit and at rest, AUTH token by dynamic reference, failover across two AZs', () => {
    const { stack, lock } = setup();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      EngineVersion: '8.0',
      CacheNodeType: 'cache.t4g.micro',
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(lock.encryptionKey), 'Arn'] },
      SnapshotRetentionLimit: 15,
    });
    const group = Object.values(template.findResources('AWS::ElastiCache::ReplicationGroup'))[0] as any;
    expect(JSON.stringify(group.Properties.AuthToken)).toMatch(/\{\{resolve:secretsmanager:/);
    expect(JSON.stringify(group.Properties.AuthToken)).toContain(logicalIdOf(lock.authSecret));
  });

  test('the replication group says what deleting or replacing it does: delete, no snapshot (locks live a day at most)', () => {
    const { stack } = setup();
    const group = Object.values(Template.fromStack(stack).findResources('AWS::ElastiCache::ReplicationGroup'))[0] as any;
    expect(group.DeletionPolicy).toBe('Delete');
    expect(group.UpdateReplacePolicy).toBe('Delete');
  });

  test('the parameter group never evicts keys', () => {
    const { stack } = setup();
    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'valkey8',
      Properties: { 'maxmemory-policy': 'noeviction' },
    });
  });

  test('nodes sit in the isolated subnets', () => {
    const { stack } = setup();
    const subnetGroup = Object.values(Template.fromStack(stack).findResources('AWS::ElastiCache::SubnetGroup'))[0] as any;
    expect(subnetGroup.Properties.SubnetIds).toHaveLength(2);
    for (const id of subnetGroup.Properties.SubnetIds) expect(id.Ref).toMatch(/IsolatedSubnet/);
  });

  test('the AUTH token is generated into a KMS-encrypted secret without punctuation', () => {
    const { stack, lock } = setup();
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(lock.encryptionKey), 'Arn'] },
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  test('Redis OSS engine and single node are options; single node warns', () => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    new JobLock(stack, 'Lock', { vpc: network.vpc, engine: LockEngine.REDIS_7, multiAz: false });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'redis', NumCacheClusters: 1, AutomaticFailoverEnabled: false });
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { CacheParameterGroupFamily: 'redis7' });
    Annotations.fromStack(stack).hasWarning('/Test/Lock', Match.stringLikeRegexp('multiAz is false'));
  });

  test('allowFrom opens the port from that tier only, grants the token and the CLI object only, and installs joblock', () => {
    const { stack, web, lock } = setup();
    lock.allowFrom(web);
    lock.allowFrom(web); // idempotent
    const template = Template.fromStack(stack);
    const lockSg = logicalIdOf(lock.connections.securityGroups[0]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === lockSg);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].Properties).toMatchObject({
      FromPort: 6379, ToPort: 6379,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(web.connections.securityGroups[0]), 'GroupId'] },
    });

    const statements = statementsOfRole(template, logicalIdOf(web.role));
    const secretRead = statements.filter(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretRead).toHaveLength(1);
    expect(secretRead[0].Resource).toEqual({ Ref: logicalIdOf(lock.authSecret) });
    const s3 = statements.filter(s => JSON.stringify(s.Action).includes('s3:') && s.Sid !== 'BootFiles');
    expect(s3).toHaveLength(1);
    expect(s3[0].Action).toBe('s3:GetObject');
    expect(JSON.stringify(s3[0].Resource)).toContain(`/${lock.cliAsset.s3ObjectKey}`);

    const script = userDataOf(template, web);
    const steps = runSteps(script);
    expect(steps).toContainEqual(['joblock-install', 'prepare']);
    expect(steps).toContainEqual(['joblock-config', 'fetch-secrets']);
    expect(script).toContain('source "$CWT_BOOT_DIR/joblock-config.sh"');
    expect(bootFileText('joblock-config.sh')).toContain("JOBLOCK_REDIS_URL=rediss://");
    expect(steps.filter(([name]) => name === 'joblock-install')).toHaveLength(1);
  });

  test('the CLI object, as cdk-assets uploads it, is one JavaScript file that node runs', () => {
    const { stack, lock } = setup();
    // What the instance downloads: the object at the key the boot step names, made the way cdk-assets makes it.
    const object = uploadedObject(stack, lock.cliAsset.s3ObjectKey);
    expect(object.packaging).toBe('file');
    expect(lock.cliAsset.s3ObjectKey).toMatch(/\.js$/);
    const help = execFileSync(process.execPath, [object.file, '--help'], { encoding: 'utf-8' });
    expect(help).toMatch(/joblock run --name NAME --ttl DURATION/);
  });

  test.each([
    [{ port: 80 }, /port \(80\)/],
    [{ nodeType: 't3.micro' }, /nodeType \("t3\.micro"\)/],
    [{ nodeType: 'cache.t1.micro' }, /nodeType \("cache\.t1\.micro"\).*failover/],
  ])('rejects %j', (props, message) => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    expect(() => new JobLock(stack, 'Lock', { vpc: network.vpc, ...props })).toThrow(message);
  });

  test('rejects public subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    expect(() => new JobLock(stack, 'Lock', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })).toThrow(/vpcSubnets \("public subnets"\)/);
  });
});

describe('addScheduledJob', () => {
  test('installs a systemd timer on every instance that runs joblock with the scheduled tick', () => {
    const { stack, web, lock } = setup();
    web.addScheduledJob('nightly-cleanup', { schedule: '0 8 * * *', command: 'php artisan cleanup', jobLock: lock, ttl: Duration.minutes(10) });
    const script = userDataOf(Template.fromStack(stack), web);
    expect(runSteps(script)).toContainEqual(['job-nightly-cleanup', 'start']);
    expect(script).toContain("'ON_CALENDAR=*-*-* 08:00:00 UTC'");
    expect(script).toContain("'JOB_TTL=600s'");
    expect(script).toContain("'JOB_COMMAND=php artisan cleanup'");
    const job = bootFileText('scheduled-job.sh');
    expect(job).toContain('org.freedesktop.systemd1.Timer LastTriggerUSec');
    expect(job).toContain('SuccessExitStatus=200');
    expect(job).toContain('Persistent=false');
    // The lock was allowed automatically.
    expect(runSteps(script).map(([n]) => n)).toEqual(expect.arrayContaining(['joblock-install', 'joblock-config']));
  });

  test('new ScheduledJob(tier, name, options) is the same job as tier.addScheduledJob, and exposes its alarms', () => {
    const viaTier = setup();
    viaTier.web.addScheduledJob('nightly-cleanup', { schedule: '0 8 * * *', command: 'php artisan cleanup', jobLock: viaTier.lock });
    const viaConstruct = setup();
    const job = new ScheduledJob(viaConstruct.web, 'nightly-cleanup', { schedule: '0 8 * * *', command: 'php artisan cleanup', jobLock: viaConstruct.lock });
    const a = Template.fromStack(viaTier.stack).toJSON();
    const b = Template.fromStack(viaConstruct.stack).toJSON();
    expect(b).toEqual(a);
    expect(job.alarms.node.path).toBe('Test/Web/Job-nightly-cleanup-Alarms');
    // A second job of the same name on the tier, by either route, names the fix.
    expect(() => viaConstruct.web.addScheduledJob('nightly-cleanup', { schedule: '0 9 * * *', command: 'true', jobLock: viaConstruct.lock }))
      .toThrow(/invalid name \(scheduled job\) \("nightly-cleanup"\)\. A job with this name is already scheduled/);
  });

  test('a JavaScript or Python caller that leaves out an option gets the library\'s error, not a TypeError', () => {
    const { web, lock } = setup();
    const js = (options: unknown) => () => new ScheduledJob(web, 'job', options as any);
    expect(js(undefined)).toThrow(/Test\/Web: invalid addScheduledJob\(job\) \(not set\)\. Give the job's options/);
    expect(js({ command: 'true', jobLock: lock })).toThrow(/invalid addScheduledJob\(job\)\.schedule \(not set\)/);
    expect(js({ schedule: '0 8 * * *', jobLock: lock })).toThrow(/invalid addScheduledJob\(job\)\.command \(not set\)/);
    expect(js({ schedule: '0 8 * * *', command: 'true' })).toThrow(/invalid addScheduledJob\(job\)\.jobLock \(not set\)/);
    expect(() => web.addScheduledJob('other', { schedule: '0 8 * * *', command: 'true' } as any)).toThrow(/invalid addScheduledJob\(other\)\.jobLock \(not set\)/);
  });

  test('works on a SingletonWorker, with a time zone', () => {
    const { stack, network, lock } = setup();
    const worker = new SingletonWorker(stack, 'Worker', { vpc: network.vpc, source: testSource(), healthCommand: 'true' });
    worker.addScheduledJob('report', { schedule: '30 6 * * 1-5', command: 'make report', jobLock: lock, timeZone: 'Europe/Paris' });
    expect(userDataOf(Template.fromStack(stack), worker)).toContain("'ON_CALENDAR=Mon,Tue,Wed,Thu,Fri *-*-* 06:30:00 Europe/Paris'");
  });

  test.each([
    ['Bad_Name', { schedule: '0 8 * * *' }, /name \(scheduled job\) \("Bad_Name"\)/],
    ['ok', { schedule: '0 8 * *' }, /schedule \("0 8 \* \*"\).*5 fields/],
    ['ok', { schedule: '61 * * * *' }, /schedule \("61 \* \* \* \*"\).*outside 0-59/],
    ['ok', { schedule: '0 8 1 * 1' }, /schedule \("0 8 1 \* 1"\).*not both/],
    ['ok', { schedule: '0 8 * * *', ttl: Duration.seconds(5) }, /ttl \(seconds\) \(5\)/],
    ['ok', { schedule: '0 8 * * *', ttl: Duration.hours(25) }, /ttl \(seconds\) \(90000\)/],
    ['ok', { schedule: '0 8 * * *', timeZone: 'Paris time' }, /timeZone \("Paris time"\)/],
    ['ok', { schedule: '0 8 * * *', command: ' ' }, /command \(" "\)/],
  ])('rejects job %s %j', (name, options, message) => {
    const { web, lock } = setup();
    expect(() => web.addScheduledJob(name, { command: 'true', jobLock: lock, ...options })).toThrow(message);
  });

  test('the same job name twice fails', () => {
    const { web, lock } = setup();
    web.addScheduledJob('cleanup', { schedule: '0 8 * * *', command: 'true', jobLock: lock });
    expect(() => web.addScheduledJob('cleanup', { schedule: '0 9 * * *', command: 'true', jobLock: lock })).toThrow(/already scheduled/);
  });
});

describe('cronToOnCalendar', () => {
  const cases: Array<[string, string]> = [
    ['0 8 * * *', '*-*-* 08:00:00 UTC'],
    ['*/15 * * * *', '*-*-* *:00,15,30,45:00 UTC'],
    ['30 2 * * 1-5', 'Mon,Tue,Wed,Thu,Fri *-*-* 02:30:00 UTC'],
    ['0 0 1 * *', '*-*-01 00:00:00 UTC'],
    ['0 */6 * * sun', 'Sun *-*-* 00,06,12,18:00:00 UTC'],
    ['5 4 * jan,jul *', '*-01,07-* 04:05:00 UTC'],
    ['0 12 * * 7', 'Sun *-*-* 12:00:00 UTC'],
    ['0-10/5 1 * * *', '*-*-* 01:00,05,10:00 UTC'],
  ];
  test.each(cases)('%s → %s', (cron, calendar) => {
    expect(cronToOnCalendar(cron)).toBe(calendar);
  });

  // The real parser (installed by .ci/run): systemd-analyze must accept every expression we generate.
  test.each(cases)('systemd-analyze accepts %s', (cron) => {
    const out = execFileSync('systemd-analyze', ['calendar', cronToOnCalendar(cron)], { encoding: 'utf-8' });
    expect(out).toMatch(/Next elapse: /);
  });

  test('systemd-analyze agrees on the next elapse of a weekday schedule', () => {
    const out = execFileSync('systemd-analyze', ['calendar', '--iterations=5', cronToOnCalendar('30 2 * * 1-5')], { encoding: 'utf-8' });
    const days = [...out.matchAll(/(?:Next elapse|Iter\. #\d+): (\w{3}) \S+ 02:30:00 UTC/g)].map(m => m[1]);
    expect(days).toHaveLength(5);
    for (const day of days) expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(day);
  });
});

describe('run-job (installed by runtime/boot/scheduled-job.sh)', () => {
  // The script between <<'SCRIPT' and SCRIPT, run with busctl and joblock stubbed. busctl answers
  // as systemd 252 does; the real thing runs under systemd in the instance lab (test/instance).
  function runJob(lastTriggerUSec: string): { status: number | null; stdout: string; stderr: string } {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const text = fs.readFileSync(path.join(__dirname, '..', 'runtime', 'boot', 'scheduled-job.sh'), 'utf-8');
    const body = /<<'SCRIPT'\n([\s\S]*?)\nSCRIPT\n/.exec(text)![1];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-job-'));
    fs.writeFileSync(path.join(dir, 'run-job'), body, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'busctl'), [
      '#!/bin/bash',
      'case "$*" in',
      '  *"LoadUnit s cdk-web-tiers-job-nightly.timer") echo \'o "/org/freedesktop/systemd1/unit/cdk_2dweb_2dtiers_2djob_2dnightly_2etimer"\' ;;',
      `  "get-property org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/cdk_2dweb_2dtiers_2djob_2dnightly_2etimer org.freedesktop.systemd1.Timer LastTriggerUSec") echo '${lastTriggerUSec}' ;;`,
      '  *) exit 1 ;;',
      'esac',
    ].join('\n'), { mode: 0o755 });
    // systemd 252 ignores --timestamp=unix: were the script to ask systemctl, it would get this.
    fs.writeFileSync(path.join(dir, 'systemctl'), "#!/bin/bash\necho 'Sun 2026-11-22 08:00:07 UTC'\n", { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'joblock'), '#!/bin/bash\necho "joblock $*"\n', { mode: 0o755 });
    const result = require('child_process').spawnSync('bash', [path.join(dir, 'run-job'), 'nightly', '600s', '86400s'], {
      env: { PATH: `${dir}:/usr/bin:/bin`, JOBLOCK: path.join(dir, 'joblock') },
      encoding: 'utf-8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('the tick is the timer\'s scheduled trigger (LastTriggerUSec over D-Bus) floored to the minute, the same on every host', () => {
    // 2026-11-22T08:00:07Z: a host whose timer fired 7 s late names the 08:00 tick.
    const out = runJob('t 1795334407000000').stdout;
    expect(out).toContain('joblock run --name nightly --ttl 600s --keep 86400s --tick 1795334400 -- /bin/bash /etc/cdk-web-tiers/jobs/nightly.command');
    expect(out).toContain('tick 2026-11-22T08:00:00Z');
  });

  test('when the trigger cannot be read, the job does not run rather than claim a tick of its own', () => {
    const run = runJob('');
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('joblock run');
    expect(run.stderr).toContain("cannot read the timer's last trigger");
  });

  test('a start by hand (never triggered) runs for the current minute', () => {
    const out = runJob('t 0').stdout;
    const tick = Number(/--tick (\d+)/.exec(out)![1]);
    expect(tick % 60).toBe(0);
    expect(Math.abs(Date.now() / 1000 - tick)).toBeLessThan(120);
  });
});
