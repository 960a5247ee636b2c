/**
 * The alarms, SLO burn-rate alerts and dashboard section of a StatelessWebTier.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { StatelessWebTier, StatelessWebTierProps, TierLoadBalancer, WebTierAlarm } from '../../lib';
import { newStack, resourcesOfType, testCertificate, testSource, testVpc, monitoringAlarms } from '../helpers';
import { alarmProps, evaluation, mathOf, singleMetric, topicRef } from './alarm-helpers';

function build(props: Partial<StatelessWebTierProps> = {}): { stack: Stack; web: StatelessWebTier; t: Template } {
  const stack = newStack();
  const web = new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), capacity: { min: 2, max: 6 }, ...props });
  return { stack, web, t: Template.fromStack(stack) };
}

describe('StatelessWebTier alarms', () => {
  const { stack, web, t } = build();
  const alarm = (name: WebTierAlarm) => {
    const a = web.alarms.alarms[name];
    expect(a).toBeDefined();
    return alarmProps(t, a);
  };

  test('every alarm notifies the stack\'s TierNotifications topic (alarm and OK)', () => {
    expect(Object.keys(web.alarms.alarms).sort()).toEqual([
      'AtMaxCapacity', 'BootFailures', 'CpuCreditBalance', 'HealthyHostsBelowMin', 'LoadBalancer5xx', 'P99ResponseTime', 'RejectedConnections', 'Target5xx', 'UnhealthyHosts',
    ]);
    for (const a of Object.values(web.alarms.alarms)) {
      expect(alarmProps(t, a).AlarmActions).toEqual([topicRef(stack)]);
      expect(alarmProps(t, a).OKActions).toEqual([topicRef(stack)]);
    }
  });

  test('target 5xx: share of the target group\'s requests over 5 minutes, > 5 %, periods under 20 requests ignored', () => {
    const p = alarm(WebTierAlarm.TARGET_5XX);
    expect(mathOf(p)).toEqual({
      expression: 'IF(r >= 20, 100 * FILL(e, 0) / r, 0)',
      period: undefined,
      metrics: {
        e: { metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum', period: 300 },
        r: { metricName: 'RequestCount', stat: 'Sum', period: 300 },
      },
    });
    expect(evaluation(p)).toEqual({ threshold: 5, comparison: 'GreaterThanThreshold', evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'notBreaching' });
  });

  test('load balancer 5xx: ELB 5xx over the load balancer\'s requests, > 5 %; created under the load balancer', () => {
    const a = web.alarms.alarms[WebTierAlarm.LOAD_BALANCER_5XX];
    expect(a.node.path).toBe('Test/Web/LoadBalancer/Alarms/LoadBalancer5xx');
    const p = alarm(WebTierAlarm.LOAD_BALANCER_5XX);
    expect(mathOf(p).metrics).toEqual({
      e: { metricName: 'HTTPCode_ELB_5XX_Count', stat: 'Sum', period: 300 },
      r: { metricName: 'RequestCount', stat: 'Sum', period: 300 },
    });
    expect(evaluation(p)).toMatchObject({ threshold: 5, comparison: 'GreaterThanThreshold', evaluationPeriods: 1 });
  });

  test('p99 target response time > 2 s for three 5-minute periods', () => {
    const p = alarm(WebTierAlarm.P99_RESPONSE_TIME);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', statistic: 'p99', period: 300, dimensions: ['LoadBalancer', 'TargetGroup'] });
    expect(evaluation(p)).toEqual({ threshold: 2, comparison: 'GreaterThanThreshold', evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'notBreaching' });
  });

  test('unhealthy hosts ≥ 1 for 5 one-minute periods', () => {
    const p = alarm(WebTierAlarm.UNHEALTHY_HOSTS);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', statistic: 'Maximum', period: 60, dimensions: ['LoadBalancer', 'TargetGroup'] });
    expect(evaluation(p)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 5, datapointsToAlarm: 5 });
  });

  test('healthy hosts below capacity.min for 5 minutes', () => {
    const p = alarm(WebTierAlarm.HEALTHY_HOSTS_BELOW_MIN);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', statistic: 'Minimum', period: 60, dimensions: ['LoadBalancer', 'TargetGroup'] });
    expect(evaluation(p)).toMatchObject({ threshold: 2, comparison: 'LessThanThreshold', evaluationPeriods: 5, datapointsToAlarm: 5 });
  });

  test('desired capacity at capacity.max for 15 minutes', () => {
    const p = alarm(WebTierAlarm.AT_MAX_CAPACITY);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity', statistic: 'Minimum', period: 60, dimensions: ['AutoScalingGroupName'] });
    expect(evaluation(p)).toMatchObject({ threshold: 6, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 15, datapointsToAlarm: 15 });
  });

  test('rejected connections ≥ 1 in 5 minutes', () => {
    const p = alarm(WebTierAlarm.REJECTED_CONNECTIONS);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'RejectedConnectionCount', statistic: 'Sum', period: 300, dimensions: ['LoadBalancer'] });
    expect(evaluation(p)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
  });

  test('CPU credit balance (the instance with fewest) < 20 for 15 minutes on burstable t3', () => {
    const p = alarm(WebTierAlarm.CPU_CREDIT_BALANCE);
    expect(singleMetric(p)).toEqual({ namespace: 'AWS/EC2', metricName: 'CPUCreditBalance', statistic: 'Minimum', period: 300, dimensions: ['AutoScalingGroupName'] });
    expect(evaluation(p)).toMatchObject({ threshold: 20, comparison: 'LessThanThreshold', evaluationPeriods: 3 });
  });

  test('boot failures: a metric filter on the BOOT FAILED line of the tier\'s log group, ≥ 1 in 5 minutes', () => {
    const p = alarm(WebTierAlarm.BOOT_FAILURES);
    expect(singleMetric(p)).toMatchObject({ namespace: 'CdkWebTiers', metricName: expect.stringMatching(/^BootFailures-TestWeb/), statistic: 'Sum', period: 300 });
    expect(evaluation(p)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' });
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '"BOOT FAILED"',
      LogGroupName: { Ref: Match.stringLikeRegexp('WebFleetLogs') },
      MetricTransformations: [{ MetricNamespace: 'CdkWebTiers', MetricName: p.MetricName, MetricValue: '1', DefaultValue: 0 }],
    });
  });

  test('a dashboard section: demand vs capacity with the spike chart\'s quantities, latency, 5xx, health, CPU, boot failures', () => {
    const [[, dashboard]] = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    for (const title of ['Web tier Test/Web', 'Demand vs capacity', 'Target response time', '5xx', 'Health', 'CPU', 'Boot failures']) expect(body).toContain(title);
    for (const label of ['demand (requests/s)', 'in service', 'desired', 'max', 'p50', 'p90', 'p99']) expect(body).toContain(`\\"label\\":\\"${label}\\"`);
  });

  test('saved Logs Insights queries over the tier\'s log group and its load balancer\'s access logs', () => {
    const names = resourcesOfType(t, 'AWS::Logs::QueryDefinition').map(([, r]) => r.Properties?.Name).sort();
    expect(names).toEqual([
      'Test/Web/LoadBalancer (all tiers)/slowest paths', 'Test/Web/LoadBalancer (all tiers)/top 5xx paths',
      'Test/Web/app and journal errors', 'Test/Web/boot failures', 'Test/Web/boot log of failed steps', 'Test/Web/job tick outcomes',
      'Test/Web/slowest paths', 'Test/Web/top 5xx paths',
    ]);
  });
});

describe('StatelessWebTier alarm options', () => {
  test('thresholds change; disabled alarms are left out; non-burstable types have no credit alarm', () => {
    const { web, t } = build({
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.C6I, ec2.InstanceSize.LARGE),
      alarms: { target5xxPercent: 1, p99ResponseTime: Duration.millis(800), unhealthyHostMinutes: 2, atMaxCapacityMinutes: 30, disable: [WebTierAlarm.REJECTED_CONNECTIONS] },
    });
    expect(web.alarms.alarms[WebTierAlarm.CPU_CREDIT_BALANCE]).toBeUndefined();
    expect(web.alarms.alarms[WebTierAlarm.REJECTED_CONNECTIONS]).toBeUndefined();
    expect(alarmProps(t, web.alarms.alarms[WebTierAlarm.TARGET_5XX]).Threshold).toBe(1);
    expect(alarmProps(t, web.alarms.alarms[WebTierAlarm.P99_RESPONSE_TIME]).Threshold).toBe(0.8);
    expect(alarmProps(t, web.alarms.alarms[WebTierAlarm.UNHEALTHY_HOSTS]).EvaluationPeriods).toBe(2);
    expect(alarmProps(t, web.alarms.alarms[WebTierAlarm.AT_MAX_CAPACITY]).EvaluationPeriods).toBe(30);
  });

  test('enabled: false creates no alarm and warns monitoringOff', () => {
    const { stack, web, t } = build({ alarms: { enabled: false } });
    expect(web.alarms.alarms).toEqual({});
    // Only the burst scaling alarms of the scaling policies remain.
    expect(monitoringAlarms(t)).toHaveLength(0);
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp('\\[ack: cdk-web-tiers:monitoringOff\\]'));
  });

  test('a shared load balancer is watched once, by the first tier', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    const loadBalancer = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack) });
    const a = new StatelessWebTier(stack, 'A', { vpc, source: testSource(), loadBalancer });
    const b = new StatelessWebTier(stack, 'B', { vpc, source: testSource(), loadBalancer, routing: { hostHeaders: ['b.example.com'], priority: 1 } });
    expect(a.alarms.alarms[WebTierAlarm.LOAD_BALANCER_5XX].node.path).toBe('Test/Lb/Alarms/LoadBalancer5xx');
    expect(b.alarms.alarms[WebTierAlarm.LOAD_BALANCER_5XX]).toBeUndefined();
    const t = Template.fromStack(stack);
    expect(resourcesOfType(t, 'AWS::CloudWatch::Alarm').filter(([, r]) => JSON.stringify(r).includes('RejectedConnectionCount'))).toHaveLength(1);
  });

  test.each([
    [{ target5xxPercent: -1 }, /invalid alarms\.target5xxPercent \(-1\)\. Use a number from 0 to 100/],
    [{ loadBalancer5xxPercent: 101 }, /invalid alarms\.loadBalancer5xxPercent \(101\)/],
    [{ p99ResponseTime: Duration.millis(0) }, /invalid alarms\.p99ResponseTime \("0 millis"\)\. Use a duration above 0/],
    [{ unhealthyHostMinutes: 0 }, /invalid alarms\.unhealthyHostMinutes \(0\)\. Use a whole number of minutes/],
    [{ atMaxCapacityMinutes: 2.5 }, /invalid alarms\.atMaxCapacityMinutes \(2\.5\)/],
    [{ cpuCreditBalance: -5 }, /invalid alarms\.cpuCreditBalance \(-5\)/],
    [{ rejectedConnections: 0 }, /invalid alarms\.rejectedConnections \(0\)/],
  ])('bad threshold %j fails with the prop, the value and the fix', (alarms, message) => {
    expect(() => build({ alarms })).toThrow(message);
  });
});

describe('SLO burn-rate alerts', () => {
  const { stack, web, t } = build({ slo: { availability: 99.9, latency: { p99: Duration.millis(500) } } });

  test.each([
    ['Availability1h', 3600, 300, 0.0144, 14.4],
    ['Availability6h', 21600, 1800, 0.006, 6],
    ['Availability72h', 259200, 21600, 0.001, 1],
  ])('%s: composite of a long (%ds) and a short (%ds) window, error ratio > %d (burn rate %d of 99.9 %%)', (name, long, short, threshold) => {
    const composite = web.slo!.alarms[name];
    const p = alarmProps(t, composite);
    expect(p.AlarmActions).toEqual([topicRef(stack)]);
    const rule = JSON.stringify(p.AlarmRule);
    const window = (suffix: string) => {
      const [[id, alarm]] = resourcesOfType(t, 'AWS::CloudWatch::Alarm').filter(([lid]) => lid.startsWith(`WebSlo${name}${suffix}`));
      expect(rule).toContain(id);
      return alarm.Properties!;
    };
    for (const [suffix, period] of [['Long', long], ['Short', short]] as const) {
      const w = window(suffix);
      const math = mathOf(w);
      expect(math.expression).toBe('(FILL(t, 0) + FILL(l, 0)) / r');
      expect(math.metrics).toEqual({
        t: { metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum', period },
        l: { metricName: 'HTTPCode_ELB_5XX_Count', stat: 'Sum', period },
        r: { metricName: 'RequestCount', stat: 'Sum', period },
      });
      expect(evaluation(w)).toMatchObject({ threshold, comparison: 'GreaterThanThreshold', evaluationPeriods: 1 });
      // The windows reach people through the composite only.
      expect(w.AlarmActions).toBeUndefined();
    }
    // Both windows must be in ALARM: (ALARM("<long arn>") AND ALARM("<short arn>")).
    const parts = p.AlarmRule['Fn::Join'][1];
    expect(parts.filter((x: unknown) => typeof x === 'string').join('|')).toBe('(ALARM("|") AND ALARM("|"))');
    expect(parts.filter((x: any) => x['Fn::GetAtt']).map((x: any) => x['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''))).toEqual([`WebSlo${name}Long`, `WebSlo${name}Short`]);
  });

  test('the composites are the workbook\'s three rows for each objective; the 3-day one is a ticket', () => {
    expect(Object.keys(web.slo!.alarms).sort()).toEqual(['Availability1h', 'Availability6h', 'Availability72h', 'Latency1h', 'Latency6h', 'Latency72h']);
    expect(alarmProps(t, web.slo!.alarms.Availability1h).AlarmDescription).toMatch(/^Test\/Web: PAGE: 14\.4x burn rate/);
    expect(alarmProps(t, web.slo!.alarms.Latency72h).AlarmDescription).toMatch(/^Test\/Web: TICKET: 1x burn rate/);
    // CloudWatch evaluates at most 7 days (1 day under an hour's period): every window fits.
    for (const [, a] of resourcesOfType(t, 'AWS::CloudWatch::Alarm')) {
      const p = a.Properties!;
      const period = p.Period ?? Math.max(...(p.Metrics ?? []).filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period));
      expect(period * p.EvaluationPeriods).toBeLessThanOrEqual(period < 3600 ? 86400 : 604800);
    }
  });

  test('latency: the share of requests slower than 500 ms from the percentile rank PR(0:0.5), budget 1 %', () => {
    const [[, long]] = resourcesOfType(t, 'AWS::CloudWatch::Alarm').filter(([lid]) => lid.startsWith('WebSloLatency1hLong'));
    const math = mathOf(long.Properties!);
    expect(math.expression).toBe('(100 - FILL(fast, 100)) / 100');
    expect(math.metrics).toEqual({ fast: { metricName: 'TargetResponseTime', stat: 'PR(0:0.5)', period: 3600 } });
    expect(long.Properties!.Threshold).toBe(0.144);
  });

  test('the error budget left over 30 days is on the dashboard', () => {
    const [[, dashboard]] = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    expect(body).toContain('Availability budget left (30 days)');
    expect(body).toContain('100 * (1 - ratio / 0.001)');
    expect(body).toContain('\\"start\\":\\"-P30D\\"');
  });

  test.each([
    [{ availability: 100 }, /invalid slo\.availability \(100\)\. Use a percentage above 0 and below 100/],
    [{ availability: 0 }, /invalid slo\.availability \(0\)/],
    [{ latency: { p99: Duration.seconds(0) } }, /invalid slo\.latency\.p99/],
    [{}, /invalid slo \("\{\}"\)\. Give slo\.availability/],
  ])('bad SLO %j fails with the prop, the value and the fix', (slo, message) => {
    expect(() => build({ slo })).toThrow(message);
  });
});
