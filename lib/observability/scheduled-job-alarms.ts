import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { graph, newAlarm, warnMonitoringOff } from './alarm-kit';
import { TierDashboard } from './tier-dashboard';
import { checkOptions } from '../common/validation';

/** Namespace of the tick outcomes that `joblock` writes (runtime/joblock/src/metrics.ts). */
export const JOB_METRICS_NAMESPACE = 'CdkWebTiers/Jobs';

/** The alarms of a {@link ScheduledJobAlarms}, to turn single ones off. */
export enum ScheduledJobAlarm {
  /** Hosts fired a tick and none of them ran it (lock store down, previous run still holding the lock). */
  NOBODY_RAN = 'NobodyRan',
  /** A tick ran on more than one host: "exactly once" was broken. */
  RAN_TWICE = 'RanTwice',
  /** A run failed (non-zero exit, command missing) or lost its lock. */
  RUN_FAILED = 'RunFailed',
}

/**
 * Alarms of a scheduled job.
 */
export interface ScheduledJobAlarmOptions {
  /**
   * Create the alarms at all. `false` warns (`cdk-web-tiers:monitoringOff`).
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Alarms to leave out (for example RUN_FAILED for a job that fails by design now and then).
   *
   * @default - none
   */
  readonly disable?: ScheduledJobAlarm[];
}

/**
 * Props of {@link ScheduledJobAlarms}.
 */
export interface ScheduledJobAlarmsProps {
  /** The value of the `Tier` dimension (the tier's construct path). */
  readonly tier: string;
  /** The job name (the `Job` dimension). */
  readonly job: string;
  /**
   * Which alarms.
   *
   * @default - all three
   */
  readonly options?: ScheduledJobAlarmOptions;
}

/**
 * The outcome of every tick of a scheduled job, from the metrics `joblock` writes on each host
 * (embedded metric format, shipped by the CloudWatch agent): a tick that nobody ran, a tick run
 * twice, a run that failed. Every host's line for a tick carries the tick's time, so one tick is
 * one minute of data.
 */
export class ScheduledJobAlarms extends Construct {
  /** The alarms, by {@link ScheduledJobAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: ScheduledJobAlarmsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { tier: 'string!', job: 'string!', options: 'object' });
    const o = props.options ?? {};
    const metric = (metricName: string, period = Duration.minutes(1)) => new cloudwatch.Metric({
      namespace: JOB_METRICS_NAMESPACE, metricName, dimensionsMap: { Tier: props.tier, Job: props.job },
      statistic: cloudwatch.Stats.SUM, period, label: metricName,
    });
    const nobodyRan = new cloudwatch.MathExpression({
      // Per tick (one minute): some host fired it, and none ran it.
      expression: 'IF(FILL(invocations, 0) > 0 AND FILL(ran, 0) == 0, 1, 0)',
      usingMetrics: { invocations: metric('Invocations'), ran: metric('Ran') },
      label: 'ticks nobody ran',
      period: Duration.minutes(1),
    });
    const ranTwice = new cloudwatch.MathExpression({
      expression: 'IF(FILL(ran, 0) > 1, FILL(ran, 0) - 1, 0)',
      usingMetrics: { ran: metric('Ran') },
      label: 'extra runs of a tick',
      period: Duration.minutes(1),
    });
    const failed = new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(lost, 0)',
      usingMetrics: { failed: metric('Failed', Duration.minutes(5)), lost: metric('LockLost', Duration.minutes(5)) },
      label: 'failed or lost runs',
      period: Duration.minutes(5),
    });
    if (o.enabled === false) {
      warnMonitoringOff(scope, `job ${props.job} is not run, runs twice or fails`);
    } else {
      const on = (alarm: ScheduledJobAlarm) => !(o.disable ?? []).includes(alarm);
      // A host's line may reach CloudWatch a few minutes after its tick: look back 5 periods.
      const lookBack = { evaluationPeriods: 5, datapointsToAlarm: 1 };
      if (on(ScheduledJobAlarm.NOBODY_RAN)) {
        this.alarms[ScheduledJobAlarm.NOBODY_RAN] = newAlarm(this, 'NobodyRan', {
          metric: nobodyRan, threshold: 1, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, ...lookBack,
          description: `hosts fired a tick of job ${props.job} and none ran it: the lock store was unreachable (exit 201) or the previous run still held the lock. Read the jobs log stream.`,
        });
      }
      if (on(ScheduledJobAlarm.RAN_TWICE)) {
        this.alarms[ScheduledJobAlarm.RAN_TWICE] = newAlarm(this, 'RanTwice', {
          metric: ranTwice, threshold: 1, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, ...lookBack,
          description: `a tick of job ${props.job} ran on more than one host: the lock store lost keys (evictions, failover without the write) or hosts use different stores.`,
        });
      }
      if (on(ScheduledJobAlarm.RUN_FAILED)) {
        this.alarms[ScheduledJobAlarm.RUN_FAILED] = newAlarm(this, 'RunFailed', {
          metric: failed, threshold: 1, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description: `a run of job ${props.job} failed (non-zero exit, command missing) or lost its lock: read the jobs log stream of the host that ran it.`,
        });
      }
    }
    TierDashboard.of(this).addSection(`Job ${props.job} on ${props.tier}`, [
      graph('Tick outcomes (per host)', ['Ran', 'Skipped', 'StoreUnreachable'].map(name => metric(name)), { width: 12 }),
      graph('Failed, lost, nobody ran, ran twice', [failed, nobodyRan, ranTwice], { width: 12 }),
    ]);
  }
}
