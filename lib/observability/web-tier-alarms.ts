import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BOOT_FAILED_PATTERN, checkDuration, checkMinutes, checkThreshold, graph, logLineMetric, newAlarm, warnMonitoringOff } from './alarm-kit';
import { AccessLogQueries } from './access-log-queries';
import { TierLogQueries } from './log-queries';
import { groupCpuMetric, groupMetric } from './metrics';
import { TierDashboard } from './tier-dashboard';

/** The alarms of a {@link WebTierAlarms}, to turn single ones off. */
export enum WebTierAlarm {
  /** Share of requests the tier's instances answered with 5xx. */
  TARGET_5XX = 'Target5xx',
  /** p99 of the time the instances take to answer. */
  P99_RESPONSE_TIME = 'P99ResponseTime',
  /** An instance failing the load balancer's health check. */
  UNHEALTHY_HOSTS = 'UnhealthyHosts',
  /** Fewer healthy instances than capacity.min. */
  HEALTHY_HOSTS_BELOW_MIN = 'HealthyHostsBelowMin',
  /** The group pinned at capacity.max: scaling has nothing left to add. */
  AT_MAX_CAPACITY = 'AtMaxCapacity',
  /** CPU credits of burstable instances running out. */
  CPU_CREDIT_BALANCE = 'CpuCreditBalance',
  /** An instance whose boot failed (the boot log's BOOT FAILED line). */
  BOOT_FAILURES = 'BootFailures',
  /** Share of requests the load balancer itself answered with 5xx (no healthy target, timeouts). */
  LOAD_BALANCER_5XX = 'LoadBalancer5xx',
  /** Connections the load balancer rejected because it reached its connection limit. */
  REJECTED_CONNECTIONS = 'RejectedConnections',
}

/**
 * Thresholds of a web tier's alarms. Every alarm is on by default; each threshold can change and
 * each alarm can be turned off (`disable`).
 */
export interface WebTierAlarmOptions {
  /**
   * Create the alarms at all. `false` warns (`cdk-web-tiers:monitoringOff`).
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Alarms to leave out.
   *
   * @default - none
   */
  readonly disable?: WebTierAlarm[];
  /**
   * Percent of requests (in 5 minutes with at least 20 requests) that the instances answer with
   * 5xx before the alarm fires.
   *
   * @default 5
   */
  readonly target5xxPercent?: number;
  /**
   * Percent of requests (in 5 minutes with at least 20 requests) that the load balancer itself
   * answers with 5xx before the alarm fires. With a shared load balancer, the first tier's value counts.
   *
   * @default 5
   */
  readonly loadBalancer5xxPercent?: number;
  /**
   * p99 target response time that, exceeded for 15 minutes (three 5-minute periods), fires the alarm.
   *
   * @default Duration.seconds(2)
   */
  readonly p99ResponseTime?: Duration;
  /**
   * Minutes an instance may fail the health check before the alarm fires.
   *
   * @default 5
   */
  readonly unhealthyHostMinutes?: number;
  /**
   * Minutes the group may stay at capacity.max before the alarm fires.
   *
   * @default 15
   */
  readonly atMaxCapacityMinutes?: number;
  /**
   * Rejected connections in 5 minutes that fire the alarm. With a shared load balancer, the first tier's value counts.
   *
   * @default 1
   */
  readonly rejectedConnections?: number;
  /**
   * CPU credits (of the instance with the fewest) under which, for 15 minutes, the alarm fires.
   * Only for burstable (T) instance types.
   *
   * @default 20
   */
  readonly cpuCreditBalance?: number;
}

/**
 * Props of {@link WebTierAlarms}.
 */
export interface WebTierAlarmsProps {
  /** The tier's load balancer construct (its own or a shared one). */
  readonly loadBalancerScope: Construct;
  /** The load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** Whether the load balancer is the tier's own (its 5xx then count in the tier's SLO). */
  readonly ownLoadBalancer: boolean;
  /** The tier's target group. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The tier's Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The tier's log group (boot log lines). */
  readonly logGroup: logs.ILogGroup;
  /** capacity.min of the tier. */
  readonly minCapacity: number;
  /** capacity.max of the tier. */
  readonly maxCapacity: number;
  /**
   * Instance type (burstable types get the CPU credit alarm).
   *
   * @default t3.small
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Thresholds.
   *
   * @default - every alarm with its default threshold
   */
  readonly options?: WebTierAlarmOptions;
  /**
   * The tier's access log queries, shown as tables on the dashboard.
   *
   * @default - none (the load balancer's access logs are not in CloudWatch Logs)
   */
  readonly accessLogQueries?: AccessLogQueries;
}

/** Requests below this in a period do not count for error-share alarms (one error in two requests is not an outage). */
export const MIN_REQUESTS_FOR_ERROR_SHARE = 20;

/**
 * The alarms and dashboard section of a `StatelessWebTier`. Created by the tier (`tier.alarms`).
 */
export class WebTierAlarms extends Construct {
  /** The alarms, by {@link WebTierAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: WebTierAlarmsProps) {
    super(scope, id);
    const o = props.options ?? {};
    checkThreshold(scope, 'alarms.target5xxPercent', o.target5xxPercent, 0, 100, '5');
    checkThreshold(scope, 'alarms.loadBalancer5xxPercent', o.loadBalancer5xxPercent, 0, 100, '5');
    checkDuration(scope, 'alarms.p99ResponseTime', o.p99ResponseTime, Duration.minutes(10));
    checkMinutes(scope, 'alarms.unhealthyHostMinutes', o.unhealthyHostMinutes);
    checkMinutes(scope, 'alarms.atMaxCapacityMinutes', o.atMaxCapacityMinutes);
    checkThreshold(scope, 'alarms.rejectedConnections', o.rejectedConnections, 1, 1e9, '1');
    checkThreshold(scope, 'alarms.cpuCreditBalance', o.cpuCreditBalance, 0, 10_000, '20');
    const tg = props.targetGroup;
    const group = props.autoScalingGroup;
    const burstable = /^t\d/.test((props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL)).toString());

    const fiveMinutes = { period: Duration.minutes(5) };
    const requests = tg.metrics.requestCount(fiveMinutes);
    const target5xx = tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, fiveMinutes);
    const p99 = tg.metrics.targetResponseTime({ ...fiveMinutes, statistic: cloudwatch.Stats.p(99) });
    const unhealthy = tg.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM });
    const healthy = tg.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MINIMUM });
    const desired = groupMetric(group, 'AWS/AutoScaling', 'GroupDesiredCapacity', cloudwatch.Stats.MINIMUM);
    const inService = groupMetric(group, 'AWS/AutoScaling', 'GroupInServiceInstances', cloudwatch.Stats.MINIMUM);
    const maxSize = groupMetric(group, 'AWS/AutoScaling', 'GroupMaxSize', cloudwatch.Stats.MAXIMUM);
    const credits = groupMetric(group, 'AWS/EC2', 'CPUCreditBalance', cloudwatch.Stats.MINIMUM, fiveMinutes);
    const bootFailures = logLineMetric(this, 'BootFailureLines', props.logGroup, BOOT_FAILED_PATTERN, 'BootFailures', scope);

    if (o.enabled === false) {
      warnMonitoringOff(scope, 'this tier answers errors, slows down, loses instances or fails to boot');
    } else {
      const on = (alarm: WebTierAlarm) => !(o.disable ?? []).includes(alarm);
      const minutes = (n: number) => ({ evaluationPeriods: n });
      if (on(WebTierAlarm.TARGET_5XX)) {
        this.alarms[WebTierAlarm.TARGET_5XX] = newAlarm(this, 'Target5xx', {
          metric: errorShare(target5xx, requests, '5xx answers of the instances (% of requests)'),
          threshold: o.target5xxPercent ?? 5,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description: 'the instances answer more than the threshold share of requests with 5xx: read the app log (Logs Insights query "top 5xx paths").',
        });
      }
      if (on(WebTierAlarm.P99_RESPONSE_TIME)) {
        this.alarms[WebTierAlarm.P99_RESPONSE_TIME] = newAlarm(this, 'P99ResponseTime', {
          metric: p99,
          threshold: (o.p99ResponseTime ?? Duration.seconds(2)).toMilliseconds() / 1000,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          description: 'the slowest 1 % of requests take longer than the threshold (seconds) for 15 minutes: CPU, a slow dependency, or too few instances.',
        });
      }
      if (on(WebTierAlarm.UNHEALTHY_HOSTS)) {
        this.alarms[WebTierAlarm.UNHEALTHY_HOSTS] = newAlarm(this, 'UnhealthyHosts', {
          metric: unhealthy,
          threshold: 1,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          ...minutes(o.unhealthyHostMinutes ?? 5),
          description: 'an instance has failed the load balancer health check for the whole period (Auto Scaling should have replaced it): read its app log.',
        });
      }
      if (on(WebTierAlarm.HEALTHY_HOSTS_BELOW_MIN)) {
        this.alarms[WebTierAlarm.HEALTHY_HOSTS_BELOW_MIN] = newAlarm(this, 'HealthyHostsBelowMin', {
          metric: healthy,
          threshold: props.minCapacity,
          comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 5,
          description: 'fewer healthy instances than capacity.min for 5 minutes: launches fail (boot log, capacity) or instances keep dying.',
        });
      }
      if (on(WebTierAlarm.AT_MAX_CAPACITY)) {
        this.alarms[WebTierAlarm.AT_MAX_CAPACITY] = newAlarm(this, 'AtMaxCapacity', {
          metric: desired,
          threshold: props.maxCapacity,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          ...minutes(o.atMaxCapacityMinutes ?? 15),
          description: 'the group has wanted capacity.max instances for the whole period: scaling has nothing left to add; raise capacity.max or find the load.',
        });
      }
      if (burstable && on(WebTierAlarm.CPU_CREDIT_BALANCE)) {
        this.alarms[WebTierAlarm.CPU_CREDIT_BALANCE] = newAlarm(this, 'CpuCreditBalance', {
          metric: credits,
          threshold: o.cpuCreditBalance ?? 20,
          comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 3,
          description: 'a burstable instance is out of CPU credits for 15 minutes: it is throttled (standard) or billed for surplus (unlimited); use a non-burstable type.',
        });
      }
      if (on(WebTierAlarm.BOOT_FAILURES)) {
        this.alarms[WebTierAlarm.BOOT_FAILURES] = newAlarm(this, 'BootFailures', {
          metric: bootFailures,
          threshold: 1,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: 'an instance failed to boot (BOOT FAILED in its boot log stream <instance>/boot; Logs Insights query "boot failures").',
        });
      }
      this.loadBalancerAlarms(props, o);
    }

    const demand = new cloudwatch.MathExpression({
      expression: 'r / PERIOD(r)',
      usingMetrics: { r: tg.metrics.requestCount({ period: Duration.minutes(1) }) },
      label: 'demand (requests/s)',
      period: Duration.minutes(1),
    });
    const widgets: cloudwatch.IWidget[] = [
      graph('Demand vs capacity', [demand], {
        right: [inService.with({ label: 'in service' }), desired.with({ label: 'desired' }), maxSize.with({ label: 'max' })],
        leftLabel: 'requests/s', rightLabel: 'instances',
      }),
      graph('Target response time', [50, 90, 99].map(p => tg.metrics.targetResponseTime({ statistic: cloudwatch.Stats.p(p), label: `p${p}`, period: Duration.minutes(1) })), { leftLabel: 'seconds' }),
      graph('5xx', [target5xx.with({ label: 'target 5xx', period: Duration.minutes(1) }),
        props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { label: 'load balancer 5xx (whole load balancer)', period: Duration.minutes(1) })]),
      graph('Health', [healthy.with({ label: 'healthy' }), unhealthy.with({ label: 'unhealthy' })], { leftLabel: 'instances' }),
      graph('CPU', [groupCpuMetric(group, { label: 'average CPU %' })], burstable ? { right: [credits.with({ label: 'CPU credit balance (min)' })] } : {}),
      graph('Boot failures', [bootFailures.with({ label: 'BOOT FAILED lines' })]),
    ];
    const queries = props.accessLogQueries;
    if (queries) {
      const table = (title: string, queryString: string) => new cloudwatch.LogQueryWidget({
        title, queryString, logGroupNames: [queries.logGroup.logGroupName], view: cloudwatch.LogQueryVisualizationType.TABLE, width: 12, height: 6,
      });
      widgets.push(table('Slowest paths (access logs)', queries.slowestPathsQuery), table('Top 5xx paths (access logs)', queries.top5xxPathsQuery));
    }
    TierDashboard.of(this).addSection(`Web tier ${scope.node.path}`, widgets);
    new TierLogQueries(this, 'Queries', { logGroup: props.logGroup, folder: scope.node.path });
  }

  /** Load balancer alarms, once per load balancer (a shared one is watched once). */
  private loadBalancerAlarms(props: WebTierAlarmsProps, o: WebTierAlarmOptions): void {
    const lbScope = props.loadBalancerScope;
    if (lbScope.node.tryFindChild('Alarms')) return;
    const scope = new Construct(lbScope, 'Alarms');
    const on = (alarm: WebTierAlarm) => !(o.disable ?? []).includes(alarm);
    const fiveMinutes = { period: Duration.minutes(5) };
    const lb = props.loadBalancer;
    if (on(WebTierAlarm.LOAD_BALANCER_5XX)) {
      this.alarms[WebTierAlarm.LOAD_BALANCER_5XX] = newAlarm(scope, 'LoadBalancer5xx', {
        metric: errorShare(lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, fiveMinutes), lb.metrics.requestCount(fiveMinutes),
          '5xx answers of the load balancer itself (% of requests)'),
        threshold: o.loadBalancer5xxPercent ?? 5,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'the load balancer itself answers more than the threshold share of requests with 5xx (502/503/504: no healthy target, app timeouts or resets).',
      });
    }
    if (on(WebTierAlarm.REJECTED_CONNECTIONS)) {
      this.alarms[WebTierAlarm.REJECTED_CONNECTIONS] = newAlarm(scope, 'RejectedConnections', {
        metric: lb.metrics.rejectedConnectionCount(fiveMinutes),
        threshold: o.rejectedConnections ?? 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description: 'the load balancer rejected connections because it reached its maximum: the instances do not keep up with new connections.',
      });
    }
  }
}

/** Percent of requests that are errors, counted only in periods with enough requests. */
function errorShare(errors: cloudwatch.IMetric, requests: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(r >= ${MIN_REQUESTS_FOR_ERROR_SHARE}, 100 * FILL(e, 0) / r, 0)`,
    usingMetrics: { e: errors, r: requests },
    label,
    period: Duration.minutes(5),
  });
}
