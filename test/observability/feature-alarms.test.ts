/**
 * The alarms of SingletonWorker, JobLock, scheduled jobs and SharedUploads: metric, statistic,
 * period, datapoints, threshold and action; options; bad thresholds; one dashboard per stack.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  JobLock, JobLockAlarm, ScheduledJobAlarm, SharedUploads, SingletonWorker, StatelessWebTier, TierNetwork, UploadsAlarm, WorkerAlarm,
} from '../../lib';
import { newStack, resourcesOfType, testCertificate, testSource, monitoringAlarms, scalingAlarms } from '../helpers';
import { alarmProps, evaluation, mathOf, singleMetric, topicRef } from './alarm-helpers';

function everything(): { stack: Stack; worker: SingletonWorker; web: StatelessWebTier; lock: JobLock; uploads: SharedUploads; t: Template } {
  const stack = newStack();
  const network = new TierNetwork(stack, 'Net');
  const worker = new SingletonWorker(stack, 'Worker', { vpc: network.vpc, source: testSource(), healthCommand: 'true' });
  const web = new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
  const lock = new JobLock(stack, 'Lock', { vpc: network.vpc });
  const uploads = new SharedUploads(stack, 'Uploads', { vpc: network.vpc });
  web.addScheduledJob('nightly', { schedule: '0 8 * * *', command: 'true', jobLock: lock });
  return { stack, worker, web, lock, uploads, t: Template.fromStack(stack) };
}

const { stack, worker, web, lock, uploads, t } = everything();

describe('SingletonWorker alarms', () => {
  test('self-reported unhealthy: a metric filter on the health reporter\'s line, ≥ 1 in 5 minutes', () => {
    const p = alarmProps(t, worker.alarms.alarms[WorkerAlarm.SELF_REPORTED_UNHEALTHY]);
    expect(singleMetric(p)).toMatchObject({ namespace: 'CdkWebTiers', metricName: expect.stringMatching(/^SelfReportedUnhealthy-TestWorker/), statistic: 'Sum', period: 300 });
    expect(evaluation(p)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
    t.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '"unhealthy to Auto Scaling"', MetricTransformations: [Match.objectLike({ MetricName: p.MetricName })] });
    expect(p.AlarmActions).toEqual([topicRef(stack)]);
  });

  test('not in service: in-service instances < 1 for 10 minutes, no data counts as down', () => {
    const p = alarmProps(t, worker.alarms.alarms[WorkerAlarm.NOT_IN_SERVICE]);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', statistic: 'Maximum', period: 60, dimensions: ['AutoScalingGroupName'] });
    expect(evaluation(p)).toEqual({ threshold: 1, comparison: 'LessThanThreshold', evaluationPeriods: 10, datapointsToAlarm: 10, treatMissingData: 'breaching' });
  });

  test('boot failures', () => {
    const p = alarmProps(t, worker.alarms.alarms[WorkerAlarm.BOOT_FAILURES]);
    expect(singleMetric(p)).toMatchObject({ metricName: expect.stringMatching(/^BootFailures-TestWorker/), statistic: 'Sum', period: 300 });
    expect(evaluation(p)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' });
  });

  test('the health reporter still writes the line the filter matches', () => {
    const script = require('fs').readFileSync(require('path').join(__dirname, '..', '..', 'runtime', 'boot', 'health-reporter.sh'), 'utf-8');
    expect(script).toContain('unhealthy to Auto Scaling');
  });
});

describe('JobLock alarms', () => {
  test.each([
    [JobLockAlarm.EVICTIONS, 'Evictions', 'Sum', 1, 1],
    [JobLockAlarm.MEMORY, 'DatabaseMemoryUsagePercentage', 'Maximum', 80, 3],
    [JobLockAlarm.ENGINE_CPU, 'EngineCPUUtilization', 'Maximum', 90, 3],
    [JobLockAlarm.CONNECTIONS, 'CurrConnections', 'Maximum', 1000, 3],
  ])('%s: the worst of the two cache clusters (<group>-001, -002), ≥ %s', (name, metricName, stat, threshold, periods) => {
    const p = alarmProps(t, lock.alarms.alarms[name]);
    const math = mathOf(p);
    const id = metricName.toLowerCase();
    expect(math.expression).toBe(`MAX([${id}1, ${id}2])`);
    expect(Object.values(math.metrics)).toEqual([{ metricName, stat, period: 300 }, { metricName, stat, period: 300 }]);
    const clusters = p.Metrics.filter((q: any) => q.MetricStat).map((q: any) => q.MetricStat.Metric.Dimensions);
    expect(clusters).toEqual(['001', '002'].map(n => [{ Name: 'CacheClusterId', Value: { 'Fn::Join': ['-', [{ Ref: expect.stringMatching(/^LockReplicationGroup/) }, n]] } }]));
    expect(evaluation(p)).toMatchObject({ threshold, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: periods });
    expect(p.AlarmActions).toEqual([topicRef(stack)]);
  });
});

describe('scheduled job alarms', () => {
  const alarms = (web.node.findChild('Job-nightly-Alarms') as any).alarms;
  test('nobody ran / ran twice: per-tick (1 minute) math over Invocations and Ran, any of the last 5 minutes', () => {
    const nobody = alarmProps(t, alarms[ScheduledJobAlarm.NOBODY_RAN]);
    expect(mathOf(nobody)).toEqual({
      expression: 'IF(FILL(invocations, 0) > 0 AND FILL(ran, 0) == 0, 1, 0)',
      period: undefined,
      metrics: { invocations: { metricName: 'Invocations', stat: 'Sum', period: 60 }, ran: { metricName: 'Ran', stat: 'Sum', period: 60 } },
    });
    expect(evaluation(nobody)).toEqual({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 5, datapointsToAlarm: 1, treatMissingData: 'notBreaching' });
    const twice = alarmProps(t, alarms[ScheduledJobAlarm.RAN_TWICE]);
    expect(mathOf(twice).expression).toBe('IF(FILL(ran, 0) > 1, FILL(ran, 0) - 1, 0)');
    expect(evaluation(twice)).toMatchObject({ threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 1 });
    expect(twice.AlarmActions).toEqual([topicRef(stack)]);
  });

  test('run failed: Failed + LockLost over 5 minutes ≥ 1', () => {
    const p = alarmProps(t, alarms[ScheduledJobAlarm.RUN_FAILED]);
    expect(mathOf(p)).toEqual({
      expression: 'FILL(failed, 0) + FILL(lost, 0)',
      period: undefined,
      metrics: { failed: { metricName: 'Failed', stat: 'Sum', period: 300 }, lost: { metricName: 'LockLost', stat: 'Sum', period: 300 } },
    });
    expect(evaluation(p)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
  });

  test('the timer gives joblock the metrics file and the Tier dimension the alarms use', () => {
    const script = require('fs').readFileSync(require('path').join(__dirname, '..', '..', 'runtime', 'boot', 'scheduled-job.sh'), 'utf-8');
    expect(script).toContain('Environment="JOBLOCK_METRICS_FILE=$CWT_LOG_DIR/job-metrics.log" "JOBLOCK_METRICS_TIER=$JOB_TIER"');
    const agent = require('fs').readFileSync(require('path').join(__dirname, '..', '..', 'runtime', 'boot', 'cloudwatch-agent.sh'), 'utf-8');
    expect(agent).toContain('"file_path": "$CWT_LOG_DIR/job-metrics.log"');
    expect(JSON.stringify(t.toJSON())).toContain("'JOB_TIER=Test/Web'");
  });
});

describe('SharedUploads alarms', () => {
  test('I/O limit ≥ 90 % and client connections ≥ 500 for 15 minutes', () => {
    const io = alarmProps(t, uploads.alarms.alarms[UploadsAlarm.IO_LIMIT]);
    expect(singleMetric(io)).toEqual({ namespace: 'AWS/EFS', metricName: 'PercentIOLimit', statistic: 'Maximum', period: 300, dimensions: ['FileSystemId'] });
    expect(evaluation(io)).toMatchObject({ threshold: 90, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 3 });
    const connections = alarmProps(t, uploads.alarms.alarms[UploadsAlarm.CLIENT_CONNECTIONS]);
    expect(singleMetric(connections)).toMatchObject({ metricName: 'ClientConnections', statistic: 'Sum', period: 300 });
    expect(evaluation(connections)).toMatchObject({ threshold: 500, evaluationPeriods: 3 });
    expect(io.AlarmActions).toEqual([topicRef(stack)]);
  });

  test('throughput used ≥ 80 % of permitted: metered bytes per second over permitted throughput', () => {
    const p = alarmProps(t, uploads.alarms.alarms[UploadsAlarm.THROUGHPUT]);
    expect(mathOf(p)).toEqual({
      expression: '100 * (m / PERIOD(m)) / p',
      period: undefined,
      metrics: { m: { metricName: 'MeteredIOBytes', stat: 'Sum', period: 300 }, p: { metricName: 'PermittedThroughput', stat: 'Average', period: 300 } },
    });
    expect(evaluation(p)).toMatchObject({ threshold: 80, evaluationPeriods: 3 });
  });
});

test('one dashboard per stack with a section per construct', () => {
  const dashboards = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = JSON.stringify(dashboards[0][1].Properties?.DashboardBody);
  for (const section of ['Worker Test/Worker', 'Web tier Test/Web', 'Job lock Test/Lock', 'Uploads Test/Uploads', 'Job nightly on Test/Web']) expect(body).toContain(`## ${section}`);
  expect(body).toContain('Tick outcomes (per host)');
});

test('every alarm of the stack has the topic as its action', () => {
  const alarmsOfStack = monitoringAlarms(t);
  expect(alarmsOfStack.length).toBeGreaterThan(20);
  for (const [, a] of alarmsOfStack) expect(a.Properties?.AlarmActions).toEqual([topicRef(stack)]);
  // The burst alarms of the scaling policies keep their policy as their only action.
  for (const [, a] of scalingAlarms(t)) expect(a.Properties?.AlarmActions).toHaveLength(1);
});

describe('options and bad input', () => {
  test.each([
    ['JobLock', (s: Stack, vpc: any) => new JobLock(s, 'X', { vpc, alarms: { memoryPercent: -1 } }), /Test\/X: invalid alarms\.memoryPercent \(-1\)\. Use a number from 1 to 100/],
    ['JobLock', (s: Stack, vpc: any) => new JobLock(s, 'X', { vpc, alarms: { connections: 0 } }), /invalid alarms\.connections \(0\)/],
    ['SharedUploads', (s: Stack, vpc: any) => new SharedUploads(s, 'X', { vpc, alarms: { throughputPercent: 150 } }), /Test\/X: invalid alarms\.throughputPercent \(150\)/],
    ['SingletonWorker', (s: Stack, vpc: any) => new SingletonWorker(s, 'X', { vpc, source: testSource(), healthCommand: 'true', alarms: { notInServiceMinutes: -3 } }), /Test\/X: invalid alarms\.notInServiceMinutes \(-3\)/],
  ])('%s: a bad threshold fails with the prop, the value and the fix', (_name, build, message) => {
    const s = newStack();
    expect(() => build(s, new TierNetwork(s, 'Net').vpc)).toThrow(message);
  });

  test('disable leaves single alarms out; enabled: false warns monitoringOff on each construct', () => {
    const s = newStack();
    const vpc = new TierNetwork(s, 'Net').vpc;
    const l = new JobLock(s, 'Lock', { vpc, alarms: { disable: [JobLockAlarm.CONNECTIONS] } });
    expect(Object.keys(l.alarms.alarms).sort()).toEqual(['EngineCpu', 'Evictions', 'Memory']);
    const u = new SharedUploads(s, 'Uploads', { vpc, alarms: { enabled: false } });
    const w = new SingletonWorker(s, 'Worker', { vpc, source: testSource(), healthCommand: 'true', alarms: { enabled: false } });
    const web2 = new StatelessWebTier(s, 'Web', { vpc, source: testSource(), certificate: testCertificate(s) });
    web2.addScheduledJob('quiet', { schedule: '0 * * * *', command: 'true', jobLock: l, alarms: { enabled: false } });
    web2.addScheduledJob('flaky', { schedule: '0 * * * *', command: 'true', jobLock: l, alarms: { disable: [ScheduledJobAlarm.RUN_FAILED] } });
    expect(u.alarms.alarms).toEqual({});
    expect(w.alarms.alarms).toEqual({});
    expect(Object.keys((web2.node.findChild('Job-flaky-Alarms') as any).alarms).sort()).toEqual(['NobodyRan', 'RanTwice', 'TickMissed']);
    const annotations = Annotations.fromStack(s);
    for (const path of ['/Test/Uploads', '/Test/Worker', '/Test/Web']) annotations.hasWarning(path, Match.stringLikeRegexp('\\[ack: cdk-web-tiers:monitoringOff\\]'));
  });
});

describe('CloudWatch agent configuration (runtime/boot/cloudwatch-agent.sh)', () => {
  const script: string = require('fs').readFileSync(require('path').join(__dirname, '..', '..', 'runtime', 'boot', 'cloudwatch-agent.sh'), 'utf-8');
  // The heredoc as bash expands it: $VARS replaced, \$ kept as $.
  const json = script.slice(script.indexOf('<<JSON\n') + 7, script.indexOf('\nJSON\n'))
    .replace(/\$CWT_LOG_DIR/g, '/var/log/cdk-web-tiers').replace(/\$CWT_LOG_GROUP/g, 'group').replace(/\\\$/g, '$');
  const config = JSON.parse(json);

  test('receives OTLP traces on localhost (gRPC 4317, HTTP 4318) and forwards them to X-Ray', () => {
    expect(config.traces).toEqual({ traces_collected: { otlp: { grpc_endpoint: '127.0.0.1:4317', http_endpoint: '127.0.0.1:4318' } } });
  });

  test('ships the boot, app, jobs, health, job metrics and journal files to the tier\'s log group', () => {
    const files = config.logs.logs_collected.files.collect_list;
    expect(files.map((f: any) => f.log_stream_name)).toEqual(['boot', 'app', 'jobs', 'health', 'job-metrics', 'journal'].map(s => `{instance_id}/${s}`));
    for (const f of files) expect(f.log_group_name).toBe('group');
    expect(script).toMatch(/journalctl --follow --since now --priority info --output short-iso >> \$CWT_LOG_DIR\/journal\.log/);
  });
});
