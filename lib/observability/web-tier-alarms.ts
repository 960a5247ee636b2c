import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BOOT_FAILED_PATTERN, checkMinutes, checkThreshold, graph, logLineMetric, newAlarm, warnMonitoringOff } from './alarm-kit';
import { AccessLogQueries } from './access-log-queries';
import { TierLogQueries } from './log-queries';
import { groupCpuMetric, groupMetric } from './metrics';
import { accessLogTables, addServingAlarms, checkServingOptions, demandMetric, servingWidgets } from './serving-alarms';
import { TierDashboard } from './tier-dashboard';
import { checkOptions } from '../common/validation';

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

/**
 * The alarms and dashboard section of a `StatelessWebTier`. Created by the tier (`tier.alarms`).
 */
export class WebTierAlarms extends Construct {
  /** The alarms, by {@link WebTierAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: WebTierAlarmsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { loadBalancerScope: 'object!', loadBalancer: 'object!', targetGroup: 'object!', autoScalingGroup: 'object!', logGroup: 'object!', minCapacity: 'number!', maxCapacity: 'number!', instanceType: 'object', options: 'object', accessLogQueries: 'object' });
    const o = props.options ?? {};
    checkServingOptions(scope, o);
    checkMinutes(scope, 'alarms.atMaxCapacityMinutes', o.atMaxCapacityMinutes);
    checkThreshold(scope, 'alarms.cpuCreditBalance', o.cpuCreditBalance, 0, 10_000, '20');
    const tg = props.targetGroup;
    const group = props.autoScalingGroup;
    const burstable = /^t\d/.test((props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL)).toString());

    const fiveMinutes = { period: Duration.minutes(5) };
    const desired = groupMetric(group, 'AWS/AutoScaling', 'GroupDesiredCapacity', cloudwatch.Stats.MINIMUM);
    const inService = groupMetric(group, 'AWS/AutoScaling', 'GroupInServiceInstances', cloudwatch.Stats.MINIMUM);
    const maxSize = groupMetric(group, 'AWS/AutoScaling', 'GroupMaxSize', cloudwatch.Stats.MAXIMUM);
    const credits = groupMetric(group, 'AWS/EC2', 'CPUCreditBalance', cloudwatch.Stats.MINIMUM, fiveMinutes);
    const bootFailures = logLineMetric(this, 'BootFailureLines', props.logGroup, BOOT_FAILED_PATTERN, 'BootFailures', scope);

    if (o.enabled === false) {
      warnMonitoringOff(scope, 'this tier answers errors, slows down, loses instances or fails to boot');
    } else {
      const on = (alarm: string) => !(o.disable ?? []).includes(alarm as WebTierAlarm);
      addServingAlarms(this, this.alarms, {
        targetGroup: tg, loadBalancer: props.loadBalancer, loadBalancerScope: props.loadBalancerScope,
        minHealthy: props.minCapacity, minName: 'capacity.min', target: 'instance', replacedBy: 'Auto Scaling', options: o, on,
      });
      if (on(WebTierAlarm.AT_MAX_CAPACITY)) {
        this.alarms[WebTierAlarm.AT_MAX_CAPACITY] = newAlarm(this, 'AtMaxCapacity', {
          metric: desired,
          threshold: props.maxCapacity,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: o.atMaxCapacityMinutes ?? 15,
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
    }

    const widgets: cloudwatch.IWidget[] = [
      graph('Demand vs capacity', [demandMetric(tg)], {
        right: [inService.with({ label: 'in service' }), desired.with({ label: 'desired' }), maxSize.with({ label: 'max' })],
        leftLabel: 'requests/s', rightLabel: 'instances',
      }),
      ...servingWidgets(tg, props.loadBalancer, 'instance'),
      graph('CPU', [groupCpuMetric(group, { label: 'average CPU %' })], burstable ? { right: [credits.with({ label: 'CPU credit balance (min)' })] } : {}),
      graph('Boot failures', [bootFailures.with({ label: 'BOOT FAILED lines' })]),
    ];
    widgets.push(...accessLogTables(props.accessLogQueries));
    TierDashboard.of(this).addSection(`Web tier ${scope.node.path}`, widgets);
    new TierLogQueries(this, 'Queries', { logGroup: props.logGroup, folder: scope.node.path });
  }
}
