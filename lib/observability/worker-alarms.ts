import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BOOT_FAILED_PATTERN, checkMinutes, graph, logLineMetric, newAlarm, warnMonitoringOff } from './alarm-kit';
import { TierLogQueries } from './log-queries';
import { groupCpuMetric, groupMetric } from './metrics';
import { TierDashboard } from './tier-dashboard';
import { checkOptions } from '../common/validation';

/** The alarms of a {@link WorkerAlarms}, to turn single ones off. */
export enum WorkerAlarm {
  /** The health reporter told Auto Scaling the worker is unhealthy (health.log). */
  SELF_REPORTED_UNHEALTHY = 'SelfReportedUnhealthy',
  /** No instance in service (the worker is down or being replaced). */
  NOT_IN_SERVICE = 'NotInService',
  /** An instance whose boot failed. */
  BOOT_FAILURES = 'BootFailures',
}

/**
 * Thresholds of a singleton worker's alarms.
 */
export interface WorkerAlarmOptions {
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
  readonly disable?: WorkerAlarm[];
  /**
   * Minutes without an instance in service before the alarm fires (a replacement takes a few).
   *
   * @default 10
   */
  readonly notInServiceMinutes?: number;
}

/**
 * Props of {@link WorkerAlarms}.
 */
export interface WorkerAlarmsProps {
  /** The worker's Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The worker's log group (boot and health log lines). */
  readonly logGroup: logs.ILogGroup;
  /**
   * Thresholds.
   *
   * @default - every alarm on, with its default threshold
   */
  readonly options?: WorkerAlarmOptions;
}

/** The line the health reporter writes when it reports the instance (runtime/boot/health-reporter.sh). */
export const SELF_REPORTED_UNHEALTHY_PATTERN = '"unhealthy to Auto Scaling"';

/**
 * The alarms and dashboard section of a `SingletonWorker`. Created by the worker (`worker.alarms`).
 */
export class WorkerAlarms extends Construct {
  /** The alarms, by {@link WorkerAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: WorkerAlarmsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { autoScalingGroup: 'object!', logGroup: 'object!', options: 'object' });
    const o = props.options ?? {};
    checkMinutes(scope, 'alarms.notInServiceMinutes', o.notInServiceMinutes);
    const unhealthy = logLineMetric(this, 'UnhealthyReports', props.logGroup, SELF_REPORTED_UNHEALTHY_PATTERN, 'SelfReportedUnhealthy', scope);
    const bootFailures = logLineMetric(this, 'BootFailureLines', props.logGroup, BOOT_FAILED_PATTERN, 'BootFailures', scope);
    const inService = groupMetric(props.autoScalingGroup, 'AWS/AutoScaling', 'GroupInServiceInstances', cloudwatch.Stats.MAXIMUM);
    if (o.enabled === false) {
      warnMonitoringOff(scope, 'this worker stops answering, is replaced or fails to boot');
    } else {
      const on = (alarm: WorkerAlarm) => !(o.disable ?? []).includes(alarm);
      if (on(WorkerAlarm.SELF_REPORTED_UNHEALTHY)) {
        this.alarms[WorkerAlarm.SELF_REPORTED_UNHEALTHY] = newAlarm(this, 'SelfReportedUnhealthy', {
          metric: unhealthy,
          threshold: 1,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: 'the health command failed its threshold of times in a row and the instance asked Auto Scaling to replace it: read the health and app logs.',
        });
      }
      if (on(WorkerAlarm.NOT_IN_SERVICE)) {
        this.alarms[WorkerAlarm.NOT_IN_SERVICE] = newAlarm(this, 'NotInService', {
          metric: inService,
          threshold: 1,
          comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: o.notInServiceMinutes ?? 10,
          // No data from the group means nothing is in service either.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          description: 'no instance of the worker has been in service for the whole period: replacements fail to boot or cannot launch.',
        });
      }
      if (on(WorkerAlarm.BOOT_FAILURES)) {
        this.alarms[WorkerAlarm.BOOT_FAILURES] = newAlarm(this, 'BootFailures', {
          metric: bootFailures,
          threshold: 1,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: 'an instance failed to boot (BOOT FAILED in its boot log stream <instance>/boot; Logs Insights query "boot failures").',
        });
      }
    }
    new TierLogQueries(this, 'Queries', { logGroup: props.logGroup, folder: scope.node.path });
    TierDashboard.of(this).addSection(`Worker ${scope.node.path}`, [
      graph('In service', [inService.with({ label: 'in service' })], { leftLabel: 'instances' }),
      graph('Self-reported unhealthy, boot failures', [unhealthy.with({ label: 'reported unhealthy' }), bootFailures.with({ label: 'BOOT FAILED lines' })]),
      graph('CPU', [groupCpuMetric(props.autoScalingGroup, { label: 'CPU %', period: Duration.minutes(1) })]),
    ]);
  }
}
