/**
 * Small helpers the alarm constructs share (internal: not exported from lib/index.ts).
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration, Names, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { invalid, warn } from '../common/validation';
import { markComponentAlarm } from './alarm-components';
import { TierNotifications } from './tier-notifications';

/** Namespace of the metrics this library creates (metric filters, job outcomes). */
export const METRIC_NAMESPACE = 'CdkWebTiers';

/** The line the boot prints when a step fails (runtime/boot/prelude.sh `boot_failed`). */
export const BOOT_FAILED_PATTERN = '"BOOT FAILED"';

export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** Periods looked at. @default 1 */
  readonly evaluationPeriods?: number;
  /** Periods of those that must breach. @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** Why the alarm exists and what to look at first. */
  readonly description: string;
  /** @default NOT_BREACHING: no data (no traffic, no tick) is not a problem by itself */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /**
   * Notify the stack's topic on alarm and OK. False for an alarm that only feeds a composite alarm
   * (one window of an SLO burn-rate alert), which notifies instead.
   * @default true
   */
  readonly notify?: boolean;
}

/**
 * Creates an alarm under `scope` that notifies the stack's {@link TierNotifications} topic
 * (created on demand) on alarm and on OK.
 */
export function newAlarm(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
  const evaluationPeriods = spec.evaluationPeriods ?? 1;
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? evaluationPeriods,
    alarmDescription: `${scope.node.scope?.node.path ?? scope.node.path}: ${spec.description}`.slice(0, 1024),
    treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (spec.notify ?? true) notifyStackTopic(alarm);
  else markComponentAlarm(alarm);
  return alarm;
}

/** Sends an alarm's ALARM and OK state changes to the stack's {@link TierNotifications} topic. */
export function notifyStackTopic(alarm: cloudwatch.Alarm | cloudwatch.CompositeAlarm): void {
  const action = new cloudwatchActions.SnsAction(TierNotifications.of(alarm).topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
}

/** Validates a threshold that must be a finite number ≥ min (and ≤ max); tokens are skipped. */
export function checkThreshold(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, example: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    invalid(scope, 'CWT601', prop, value, `Use a number from ${min} to ${max} (for example ${example}), or turn this alarm off with the disable list.`);
  }
}

/** Validates a whole number of minutes (1 to 1440). */
export function checkMinutes(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1 || value > 1440) {
    invalid(scope, 'CWT602', prop, value, 'Use a whole number of minutes from 1 to 1440, for example 5.');
  }
}

/** Validates a duration threshold in (0, max]. */
export function checkDuration(scope: IConstruct, prop: string, value: Duration | undefined, max: Duration): void {
  if (value === undefined || value.isUnresolved()) return;
  if (value.toMilliseconds() <= 0 || value.toMilliseconds() > max.toMilliseconds()) {
    invalid(scope, 'CWT603', prop, value.toHumanString(), `Use a duration above 0 and at most ${max.toHumanString()}, for example Duration.millis(500).`);
  }
}

/** The warning users get when they turn off every alarm of a construct. */
export function warnMonitoringOff(scope: IConstruct, what: string): void {
  warn(scope, 'monitoringOff', `alarms.enabled is false: nothing tells you when ${what}. ` +
    'Turn single alarms off with alarms.disable instead, or acknowledge this warning if another system watches it.');
}

/**
 * A count of the log lines of `logGroup` that match `pattern`, as a metric (0 when none match,
 * so that the alarm sees data every period).
 */
export function logLineMetric(scope: Construct, id: string, logGroup: logs.ILogGroup, pattern: string, metricName: string, owner: IConstruct): cloudwatch.Metric {
  const name = `${metricName}-${Names.uniqueId(owner)}`.slice(0, 255);
  const filter = new logs.MetricFilter(scope, id, {
    logGroup,
    filterPattern: logs.FilterPattern.literal(pattern),
    metricNamespace: METRIC_NAMESPACE,
    metricName: name,
    metricValue: '1',
    defaultValue: 0,
  });
  return filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
}

/** A graph widget of the dashboard's usual size (a third of a row). */
export function graph(title: string, left: cloudwatch.IMetric[], options: { right?: cloudwatch.IMetric[]; leftLabel?: string; rightLabel?: string; width?: number } = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left,
    right: options.right,
    leftYAxis: { min: 0, label: options.leftLabel, showUnits: false },
    rightYAxis: options.right ? { min: 0, label: options.rightLabel, showUnits: false } : undefined,
    width: options.width ?? 8,
    height: 6,
  });
}
