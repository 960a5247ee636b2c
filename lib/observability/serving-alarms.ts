/**
 * The alarms and dashboard graphs of a tier that serves through a load balancer target group,
 * shared by the EC2 tier (`WebTierAlarms`) and the Kubernetes tier (`KubernetesTierAlarms`);
 * internal, not exported from lib/index.ts. Alarm ids are the `WebTierAlarm` values.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { AccessLogQueries } from './access-log-queries';
import { checkDuration, checkMinutes, checkThreshold, graph, newAlarm } from './alarm-kit';

/** Requests below this in a period do not count for error-share alarms (one error in two requests is not an outage). */
export const MIN_REQUESTS_FOR_ERROR_SHARE = 20;

/** The thresholds the serving alarms read (a subset of `WebTierAlarmOptions`). */
export interface ServingAlarmOptions {
  readonly target5xxPercent?: number;
  readonly loadBalancer5xxPercent?: number;
  readonly p99ResponseTime?: Duration;
  readonly unhealthyHostMinutes?: number;
  readonly rejectedConnections?: number;
}

export interface ServingAlarmsSpec {
  /** The tier's target group. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The load balancer and the construct its alarms go under (once per load balancer). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly loadBalancerScope: Construct;
  /** Fewer healthy targets than this for 5 minutes fires HealthyHostsBelowMin. */
  readonly minHealthy: number;
  /** The prop minHealthy comes from ('capacity.min', 'replicas.min'). */
  readonly minName: string;
  /** What a target is: 'instance' or 'pod'. */
  readonly target: string;
  /** What replaces a failing target. */
  readonly replacedBy: string;
  readonly options: ServingAlarmOptions;
  /** Whether an alarm (by its `WebTierAlarm` value) is on. */
  readonly on: (alarm: string) => boolean;
}

/** Fails synth on a bad threshold; `owner` is the tier, whose `alarms.<prop>` is named. */
export function checkServingOptions(owner: IConstruct, o: ServingAlarmOptions): void {
  checkThreshold(owner, 'alarms.target5xxPercent', o.target5xxPercent, 0, 100, '5');
  checkThreshold(owner, 'alarms.loadBalancer5xxPercent', o.loadBalancer5xxPercent, 0, 100, '5');
  checkDuration(owner, 'alarms.p99ResponseTime', o.p99ResponseTime, Duration.minutes(10));
  checkMinutes(owner, 'alarms.unhealthyHostMinutes', o.unhealthyHostMinutes);
  checkThreshold(owner, 'alarms.rejectedConnections', o.rejectedConnections, 1, 1e9, '1');
}

/** The target group metrics the alarms and the dashboard share. */
export function servingMetrics(tg: elbv2.IApplicationTargetGroup) {
  const fiveMinutes = { period: Duration.minutes(5) };
  return {
    requests: tg.metrics.requestCount(fiveMinutes),
    target5xx: tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, fiveMinutes),
    p99: tg.metrics.targetResponseTime({ ...fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
    unhealthy: tg.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
    healthy: tg.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MINIMUM }),
  };
}

/**
 * Target5xx, P99ResponseTime, UnhealthyHosts and HealthyHostsBelowMin under `scope`, then the
 * load balancer's LoadBalancer5xx and RejectedConnections (once per load balancer), into `alarms`.
 */
export function addServingAlarms(scope: Construct, alarms: { [name: string]: cloudwatch.Alarm }, spec: ServingAlarmsSpec): void {
  const o = spec.options;
  const m = servingMetrics(spec.targetGroup);
  const targets = `${spec.target}s`;
  if (spec.on('Target5xx')) {
    alarms.Target5xx = newAlarm(scope, 'Target5xx', {
      metric: errorShare(m.target5xx, m.requests, `5xx answers of the ${targets} (% of requests)`),
      threshold: o.target5xxPercent ?? 5,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `the ${targets} answer more than the threshold share of requests with 5xx: read the app log (Logs Insights query "top 5xx paths").`,
    });
  }
  if (spec.on('P99ResponseTime')) {
    alarms.P99ResponseTime = newAlarm(scope, 'P99ResponseTime', {
      metric: m.p99,
      threshold: (o.p99ResponseTime ?? Duration.seconds(2)).toMilliseconds() / 1000,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description: `the slowest 1 % of requests take longer than the threshold (seconds) for 15 minutes: CPU, a slow dependency, or too few ${targets} (Logs Insights query "slowest paths").`,
    });
  }
  if (spec.on('UnhealthyHosts')) {
    alarms.UnhealthyHosts = newAlarm(scope, 'UnhealthyHosts', {
      metric: m.unhealthy,
      threshold: 1,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: o.unhealthyHostMinutes ?? 5,
      description: `a ${spec.target} has failed the load balancer health check for the whole period (${spec.replacedBy} should have replaced it): read its app log.`,
    });
  }
  if (spec.on('HealthyHostsBelowMin')) {
    alarms.HealthyHostsBelowMin = newAlarm(scope, 'HealthyHostsBelowMin', {
      metric: m.healthy,
      threshold: spec.minHealthy,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      description: `fewer healthy ${targets} than ${spec.minName} for 5 minutes: launches fail or ${targets} keep dying.`,
    });
  }
  addLoadBalancerAlarms(alarms, spec);
}

/** Load balancer alarms, once per load balancer (a shared one is watched once, with the first tier's thresholds). */
function addLoadBalancerAlarms(alarms: { [name: string]: cloudwatch.Alarm }, spec: ServingAlarmsSpec): void {
  if (spec.loadBalancerScope.node.tryFindChild('Alarms')) return;
  const scope = new Construct(spec.loadBalancerScope, 'Alarms');
  const o = spec.options;
  const fiveMinutes = { period: Duration.minutes(5) };
  const lb = spec.loadBalancer;
  if (spec.on('LoadBalancer5xx')) {
    alarms.LoadBalancer5xx = newAlarm(scope, 'LoadBalancer5xx', {
      metric: errorShare(lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, fiveMinutes), lb.metrics.requestCount(fiveMinutes),
        '5xx answers of the load balancer itself (% of requests)'),
      threshold: o.loadBalancer5xxPercent ?? 5,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: 'the load balancer itself answers more than the threshold share of requests with 5xx (502/503/504: no healthy target, app timeouts or resets).',
    });
  }
  if (spec.on('RejectedConnections')) {
    alarms.RejectedConnections = newAlarm(scope, 'RejectedConnections', {
      metric: lb.metrics.rejectedConnectionCount(fiveMinutes),
      threshold: o.rejectedConnections ?? 1,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `the load balancer rejected connections because it reached its maximum: the ${spec.target}s do not keep up with new connections.`,
    });
  }
}

/** Dashboard graphs of the traffic a tier serves: response time percentiles, 5xx, health. */
export function servingWidgets(tg: elbv2.IApplicationTargetGroup, lb: elbv2.IApplicationLoadBalancer, target: string): cloudwatch.IWidget[] {
  const m = servingMetrics(tg);
  return [
    graph('Target response time', [50, 90, 99].map(p => tg.metrics.targetResponseTime({ statistic: cloudwatch.Stats.p(p), label: `p${p}`, period: Duration.minutes(1) })), { leftLabel: 'seconds' }),
    graph('5xx', [m.target5xx.with({ label: 'target 5xx', period: Duration.minutes(1) }),
      lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { label: 'load balancer 5xx (whole load balancer)', period: Duration.minutes(1) })]),
    graph('Health', [m.healthy.with({ label: 'healthy' }), m.unhealthy.with({ label: 'unhealthy' })], { leftLabel: `${target}s` }),
  ];
}

/** The tier's access log queries as dashboard tables (none when the access logs are not in CloudWatch Logs). */
export function accessLogTables(queries: AccessLogQueries | undefined): cloudwatch.IWidget[] {
  if (!queries) return [];
  const table = (title: string, queryString: string) => new cloudwatch.LogQueryWidget({
    title, queryString, logGroupNames: [queries.logGroup.logGroupName], view: cloudwatch.LogQueryVisualizationType.TABLE, width: 12, height: 6,
  });
  return [table('Slowest paths (access logs)', queries.slowestPathsQuery), table('Top 5xx paths (access logs)', queries.top5xxPathsQuery)];
}

/** Requests per second the target group received, per minute (the demand of the spike simulator's chart). */
export function demandMetric(tg: elbv2.IApplicationTargetGroup): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'r / PERIOD(r)',
    usingMetrics: { r: tg.metrics.requestCount({ period: Duration.minutes(1) }) },
    label: 'demand (requests/s)',
    period: Duration.minutes(1),
  });
}

/** Percent of requests that are errors, counted only in periods with enough requests. */
export function errorShare(errors: cloudwatch.IMetric, requests: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(r >= ${MIN_REQUESTS_FOR_ERROR_SHARE}, 100 * FILL(e, 0) / r, 0)`,
    usingMetrics: { e: errors, r: requests },
    label,
    period: Duration.minutes(5),
  });
}
