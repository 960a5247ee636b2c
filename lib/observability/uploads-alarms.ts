import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as efs from 'aws-cdk-lib/aws-efs';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkThreshold, graph, newAlarm, warnMonitoringOff } from './alarm-kit';
import { TierDashboard } from './tier-dashboard';
import { checkOptions } from '../common/validation';

/** The alarms of an {@link UploadsAlarms}, to turn single ones off. */
export enum UploadsAlarm {
  /** Percent of the General Purpose I/O limit. */
  IO_LIMIT = 'IoLimit',
  /** Client connections. */
  CLIENT_CONNECTIONS = 'ClientConnections',
  /** Throughput used, percent of the throughput permitted. */
  THROUGHPUT = 'Throughput',
}

/**
 * Thresholds of a shared uploads file system's alarms.
 */
export interface UploadsAlarmOptions {
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
  readonly disable?: UploadsAlarm[];
  /**
   * Percent of the General Purpose mode's I/O limit (15 minutes) that fires the alarm.
   *
   * @default 90
   */
  readonly ioLimitPercent?: number;
  /**
   * Client connections (15 minutes) that fire the alarm: each mounting instance holds one.
   *
   * @default 500
   */
  readonly clientConnections?: number;
  /**
   * Percent of the permitted throughput used (15 minutes) that fires the alarm.
   *
   * @default 80
   */
  readonly throughputPercent?: number;
}

/**
 * Props of {@link UploadsAlarms}.
 */
export interface UploadsAlarmsProps {
  /** The file system. */
  readonly fileSystem: efs.IFileSystem;
  /**
   * Thresholds.
   *
   * @default - every alarm on, with its default threshold
   */
  readonly options?: UploadsAlarmOptions;
}

/**
 * The alarms and dashboard section of `SharedUploads`. Created by it (`uploads.alarms`).
 */
export class UploadsAlarms extends Construct {
  /** The alarms, by {@link UploadsAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: UploadsAlarmsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { fileSystem: 'object!', options: 'object' });
    const o = props.options ?? {};
    checkThreshold(scope, 'alarms.ioLimitPercent', o.ioLimitPercent, 1, 100, '90');
    checkThreshold(scope, 'alarms.clientConnections', o.clientConnections, 1, 25000, '500');
    checkThreshold(scope, 'alarms.throughputPercent', o.throughputPercent, 1, 100, '80');
    const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/EFS', metricName, dimensionsMap: { FileSystemId: props.fileSystem.fileSystemId }, statistic, period: Duration.minutes(5),
    });
    const ioLimit = metric('PercentIOLimit', cloudwatch.Stats.MAXIMUM);
    const connections = metric('ClientConnections', cloudwatch.Stats.SUM);
    // The console's "throughput utilization": bytes per second metered against bytes per second permitted.
    const throughput = new cloudwatch.MathExpression({
      expression: '100 * (m / PERIOD(m)) / p',
      usingMetrics: { m: metric('MeteredIOBytes', cloudwatch.Stats.SUM), p: metric('PermittedThroughput', cloudwatch.Stats.AVERAGE) },
      label: 'throughput used (% of permitted)',
      period: Duration.minutes(5),
    });
    if (o.enabled === false) {
      warnMonitoringOff(scope, 'the uploads file system reaches its I/O or throughput limit');
    } else {
      const on = (alarm: UploadsAlarm) => !(o.disable ?? []).includes(alarm);
      const add = (alarm: UploadsAlarm, m: cloudwatch.IMetric, threshold: number, description: string) => {
        if (!on(alarm)) return;
        this.alarms[alarm] = newAlarm(this, alarm, {
          metric: m, threshold, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 3, description,
        });
      };
      add(UploadsAlarm.IO_LIMIT, ioLimit, o.ioLimitPercent ?? 90, 'the file system is near the I/O operations limit of General Purpose mode: uploads slow down for every tier.');
      add(UploadsAlarm.CLIENT_CONNECTIONS, connections, o.clientConnections ?? 500, 'more clients than expected hold the uploads mounted: far more instances than capacity.max, or mounts that leak.');
      add(UploadsAlarm.THROUGHPUT, throughput, o.throughputPercent ?? 80, 'the file system uses most of the throughput it is permitted: reads and writes of uploads are about to be throttled.');
    }
    TierDashboard.of(this).addSection(`Uploads ${scope.node.path}`, [
      graph('I/O limit and throughput', [ioLimit.with({ label: 'I/O limit %' }), throughput], { leftLabel: '%' }),
      graph('Client connections', [connections.with({ label: 'client connections' })]),
    ]);
  }
}
