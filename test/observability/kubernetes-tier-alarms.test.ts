/**
 * CloudWatch alarms and dashboard section of a KubernetesWebTier behind a TierLoadBalancer: the
 * target group alarms a StatelessWebTier has, counted in pods.
 */
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { KubernetesWebTier, KubernetesWebTierProps, StatelessWebTier, TierLoadBalancer, WebTierAlarm } from '../../lib';
import { CERTIFICATE_ARN, monitoringAlarms, resourcesOfType, testSource } from '../helpers';
import { clusterStack } from '../kubernetes/fixtures';
import { alarmProps, evaluation, mathOf, singleMetric, topicRef } from './alarm-helpers';

function tier(extra: Partial<KubernetesWebTierProps> = {}, withLb = true) {
  const { stack, vpc, cluster } = clusterStack();
  const loadBalancer = withLb ? new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) }) : undefined;
  const api = new KubernetesWebTier(stack, 'Api', {
    cluster, loadBalancer, image: 'public.ecr.aws/runtheworld/api:1.4.2', resources: { cpu: '500m', memory: '512Mi' }, replicas: { min: 3, max: 30 },
    routing: loadBalancer ? { hostHeaders: ['api.example.com'], priority: 10 } : undefined, ...extra,
  });
  return { stack, vpc, cluster, api, t: Template.fromStack(stack) };
}

describe('KubernetesWebTier alarms', () => {
  const { stack, api, t } = tier();
  const alarms = api.alarms!.alarms;
  const tgDimension = ['LoadBalancer', 'TargetGroup'];

  test('the target group alarms of a web tier and the load balancer\'s own, each notifying the stack\'s topic', () => {
    expect(Object.keys(alarms).sort()).toEqual(['HealthyHostsBelowMin', 'LoadBalancer5xx', 'P99ResponseTime', 'RejectedConnections', 'Target5xx', 'UnhealthyHosts']);
    for (const a of Object.values(alarms)) {
      expect(alarmProps(t, a).AlarmActions).toEqual([topicRef(stack)]);
    }
    expect(alarms.LoadBalancer5xx.node.path).toBe('Test/Lb/Alarms/LoadBalancer5xx');
  });

  test('5xx share of the pods: target 5xx over requests in 5 minutes, > 5 %, periods under 20 requests ignored', () => {
    const p = alarmProps(t, alarms.Target5xx);
    expect(mathOf(p).expression).toBe('IF(r >= 20, 100 * FILL(e, 0) / r, 0)');
    expect(mathOf(p).metrics).toEqual({
      e: { metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum', period: 300 },
      r: { metricName: 'RequestCount', stat: 'Sum', period: 300 },
    });
    expect(evaluation(p)).toMatchObject({ threshold: 5, comparison: 'GreaterThanThreshold', evaluationPeriods: 1 });
    expect(p.AlarmDescription).toMatch(/the pods answer more than the threshold share/);
  });

  test('p99 > 2 s for 15 minutes; a pod unhealthy for 5 minutes; fewer healthy pods than replicas.min for 5 minutes', () => {
    const p99 = alarmProps(t, alarms.P99ResponseTime);
    expect(singleMetric(p99)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', statistic: 'p99', period: 300, dimensions: tgDimension });
    expect(evaluation(p99)).toMatchObject({ threshold: 2, evaluationPeriods: 3 });
    const unhealthy = alarmProps(t, alarms.UnhealthyHosts);
    expect(singleMetric(unhealthy)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', statistic: 'Maximum', period: 60, dimensions: tgDimension });
    expect(evaluation(unhealthy)).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 5 });
    expect(unhealthy.AlarmDescription).toMatch(/a pod has failed the load balancer health check .*Kubernetes should have replaced it/);
    const belowMin = alarmProps(t, alarms.HealthyHostsBelowMin);
    expect(singleMetric(belowMin)).toEqual({ namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', statistic: 'Minimum', period: 60, dimensions: tgDimension });
    expect(evaluation(belowMin)).toMatchObject({ threshold: 3, comparison: 'LessThanThreshold', evaluationPeriods: 5 });
    expect(belowMin.AlarmDescription).toMatch(/fewer healthy pods than replicas.min/);
  });

  test('the tier\'s alarms watch its own target group', () => {
    const tgRef = stack.resolve(api.targetGroup!.targetGroupFullName);
    const dimension = alarmProps(t, alarms.P99ResponseTime).Dimensions.find((d: any) => d.Name === 'TargetGroup');
    expect(dimension.Value).toEqual(tgRef);
  });

  test('a dashboard section: demand, response time, 5xx, healthy pods, and the access log tables', () => {
    const [[, dashboard]] = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    for (const title of ['## Kubernetes tier Test/Api', 'Demand', 'Target response time', '5xx', 'Health', 'Slowest paths (access logs)', 'Top 5xx paths (access logs)']) {
      expect(body).toContain(title);
    }
  });
});

describe('KubernetesWebTier alarm options', () => {
  test('thresholds change; single alarms turn off', () => {
    const { api, t } = tier({ alarms: { target5xxPercent: 1, p99ResponseTime: Duration.millis(800), disable: [WebTierAlarm.UNHEALTHY_HOSTS] } });
    expect(api.alarms!.alarms.UnhealthyHosts).toBeUndefined();
    expect(alarmProps(t, api.alarms!.alarms.Target5xx).Threshold).toBe(1);
    expect(alarmProps(t, api.alarms!.alarms.P99ResponseTime).Threshold).toBe(0.8);
  });

  test('an EC2 tier on the same load balancer got the load balancer alarms first: they exist once', () => {
    const { stack, vpc, cluster } = clusterStack();
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
    new StatelessWebTier(stack, 'Web', { vpc, loadBalancer: lb, source: testSource() });
    const api = new KubernetesWebTier(stack, 'Api', {
      cluster, loadBalancer: lb, image: 'public.ecr.aws/runtheworld/api:1.4.2', resources: { cpu: '500m', memory: '512Mi' }, replicas: { min: 2, max: 4 },
      routing: { hostHeaders: ['api.example.com'], priority: 10 },
    });
    expect(api.alarms!.alarms.LoadBalancer5xx).toBeUndefined();
    const names = monitoringAlarms(Template.fromStack(stack)).map(([id]) => id).filter(id => /LbAlarms/.test(id));
    expect(names).toHaveLength(2);
  });

  test('EC2-only thresholds and alarms fail at synth, naming the prop and the value', () => {
    expect(() => tier({ alarms: { cpuCreditBalance: 10 } })).toThrow(/alarms\.cpuCreditBalance.*10.*Auto Scaling group of EC2 instances.*remove it/s);
    expect(() => tier({ alarms: { atMaxCapacityMinutes: 30 } })).toThrow(/alarms\.atMaxCapacityMinutes.*30/s);
    expect(() => tier({ alarms: { disable: [WebTierAlarm.BOOT_FAILURES] } })).toThrow(/alarms\.disable.*BootFailures.*no such alarm/s);
    expect(() => tier({ alarms: { target5xxPercent: 120 } })).toThrow(/alarms\.target5xxPercent.*120/s);
  });

  test('enabled: false leaves no alarm and warns monitoringOff', () => {
    const { stack, api, t } = tier({ alarms: { enabled: false } });
    expect(Object.keys(api.alarms!.alarms)).toEqual([]);
    expect(monitoringAlarms(t).filter(([id]) => id.startsWith('Api') || id.startsWith('LbAlarms'))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp('monitoringOff'));
  });

  test('without a load balancer there is no target group to watch: no alarms', () => {
    const { api, t } = tier({}, false);
    expect(api.alarms).toBeUndefined();
    expect(monitoringAlarms(t).filter(([id]) => id.startsWith('Api'))).toEqual([]);
  });
});
