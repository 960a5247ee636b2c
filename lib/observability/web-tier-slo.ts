import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../common/acknowledge';
import { checkOptions, invalid } from '../common/validation';
import { checkDuration, newAlarm, notifyStackTopic } from './alarm-kit';
import { WORKBOOK_BURN_RATE_WINDOWS, BurnRateWindow, burnRate, errorRatioThreshold } from './burn-rate';
import { TierDashboard } from './tier-dashboard';

/**
 * A latency objective: the share of requests answered within a time.
 */
export interface LatencyObjective {
  /** 99 % of requests are answered by the instances within this time (at most 10 minutes). */
  readonly p99: Duration;
}

/**
 * A service level objective of a web tier, over 30 days.
 */
export interface ServiceLevelObjective {
  /**
   * Percent of requests answered without a 5xx (above 0, below 100), for example 99.9.
   *
   * @default - no availability objective
   */
  readonly availability?: number;
  /**
   * Latency objective.
   *
   * @default - no latency objective
   */
  readonly latency?: LatencyObjective;
}

/**
 * Props of {@link WebTierSlo}.
 */
export interface WebTierSloProps {
  /** The objective. */
  readonly objective: ServiceLevelObjective;
  /** The tier's target group. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /**
   * The tier's own load balancer, whose own 5xx (no healthy target, timeouts) also spend the
   * budget. A shared load balancer's 5xx cannot be told apart by tier and are left out.
   *
   * @default - only the instances' 5xx count
   */
  readonly ownLoadBalancer?: elbv2.IApplicationLoadBalancer;
}

/**
 * Multi-window, multi-burn-rate alerts on a web tier's SLO (the SRE workbook's "Alerting on SLOs"):
 * for each window pair, a composite alarm fires when both the long and the short window burn the
 * error budget faster than the pair's rate. The dashboard shows the budget left over 30 days.
 *
 * The three rows of the workbook's table: 2 % of the budget in 1 h (checked over 1 h and 5 min,
 * burn rate 14.4) and 5 % in 6 h (6 h and 30 min, burn rate 6) page; 10 % in 3 days (3 days and
 * 6 h, burn rate 1) is a ticket. A CloudWatch alarm evaluates at most 7 days (Period ×
 * EvaluationPeriods ≤ 604,800 s; 1 day for periods under an hour: PutMetricAlarm API reference),
 * so the 3-day window is one 3-day period. All notify the stack's topic; the alarm names say
 * which are tickets.
 */
export class WebTierSlo extends Construct {
  /** The composite alarms, one per window pair ('Availability1h', 'Latency6h', ...). */
  public readonly alarms: { [name: string]: cloudwatch.CompositeAlarm } = {};

  constructor(scope: Construct, id: string, props: WebTierSloProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { objective: 'object!', targetGroup: 'object!', ownLoadBalancer: 'object' });
    const { availability, latency } = props.objective;
    if (availability === undefined && latency === undefined) {
      invalid(scope, 'CWT612', 'slo', '{}', 'Give slo.availability (for example 99.9) or slo.latency (for example { p99: Duration.millis(500) }), or remove slo.');
    }
    if (availability !== undefined && !Token.isUnresolved(availability) && !(availability > 0 && availability < 100)) {
      invalid(scope, 'CWT613', 'slo.availability', availability,
        'Use a percentage above 0 and below 100, for example 99.9 (100 leaves no error budget, so every error would page).');
    }
    checkDuration(scope, 'slo.latency.p99', latency?.p99, Duration.minutes(10));
    const windows = WORKBOOK_BURN_RATE_WINDOWS;
    const tg = props.targetGroup;
    const widgets: cloudwatch.IWidget[] = [];

    if (availability !== undefined) {
      const ratio = (period: Duration) => {
        const usingMetrics: Record<string, cloudwatch.IMetric> = {
          t: tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period }),
          r: (props.ownLoadBalancer ? props.ownLoadBalancer.metrics.requestCount({ period }) : tg.metrics.requestCount({ period })),
        };
        if (props.ownLoadBalancer) usingMetrics.l = props.ownLoadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period });
        const errors = props.ownLoadBalancer ? '(FILL(t, 0) + FILL(l, 0))' : 'FILL(t, 0)';
        return new cloudwatch.MathExpression({ expression: `${errors} / r`, usingMetrics, label: 'error ratio (5xx / requests)', period });
      };
      for (const w of windows) this.burnAlert(`Availability${w.longWindow.toHours()}h`, w, availability, ratio, 'requests answered with 5xx');
      widgets.push(budgetLeft('Availability budget left (30 days)', ratio(Duration.days(30)), availability));
    }
    if (latency) {
      const seconds = latency.p99.toMilliseconds() / 1000;
      const ratio = (period: Duration) => new cloudwatch.MathExpression({
        // PR(0:t) is the percent of requests answered within t: what is left is the slow share.
        expression: '(100 - FILL(fast, 100)) / 100',
        usingMetrics: { fast: tg.metrics.targetResponseTime({ period, statistic: `PR(0:${seconds})` }) },
        label: `share of requests slower than ${latency.p99.toHumanString()}`,
        period,
      });
      for (const w of windows) this.burnAlert(`Latency${w.longWindow.toHours()}h`, w, 99, ratio, `requests slower than ${latency.p99.toHumanString()}`);
      widgets.push(budgetLeft(`Latency budget left (30 days, p99 ≤ ${latency.p99.toHumanString()})`, ratio(Duration.days(30)), 99));
    }
    TierDashboard.of(this).addSection(`SLO of ${scope.node.path}`, widgets);
  }

  private burnAlert(name: string, w: BurnRateWindow, objective: number, ratio: (period: Duration) => cloudwatch.IMetric, what: string): void {
    const rate = burnRate(w.budgetConsumedPercent, w.longWindow);
    const threshold = errorRatioThreshold(objective, rate);
    const window = (label: string, period: Duration) => {
      const alarm = newAlarm(this, `${name}${label}`, {
        metric: ratio(period),
        threshold,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `${label.toLowerCase()} window (${period.toHumanString()}) of the ${rate}x burn rate alert: ${what} above ${threshold * 100} %.`,
        notify: false,
      });
      acknowledgeFindings(alarm,
        'One window of a multi-window burn-rate alert: it feeds a composite alarm (both windows must burn) that notifies the stack\'s topic; ' +
        'an action here would page on one window alone, which is what the multi-window rule exists to avoid.',
        'NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction', 'CT.CLOUDWATCH.PR.1');
      return alarm;
    };
    const long = window('Long', w.longWindow);
    const short = window('Short', w.shortWindow);
    this.alarms[name] = new cloudwatch.CompositeAlarm(this, name, {
      alarmRule: cloudwatch.AlarmRule.allOf(long, short),
      alarmDescription: `${this.node.scope!.node.path}: ${w.severity === 'page' ? 'PAGE' : 'TICKET'}: ${rate}x burn rate of the ${objective} % objective (${w.budgetConsumedPercent} % of the 30-day error budget ` +
        `in ${w.longWindow.toHumanString()}): ${what} above ${threshold * 100} % over ${w.longWindow.toHumanString()} and ${w.shortWindow.toHumanString()}.`,
    });
    notifyStackTopic(this.alarms[name]);
  }
}

/** Percent of the error budget left over the last 30 days. */
function budgetLeft(title: string, ratio30d: cloudwatch.IMetric, objective: number): cloudwatch.SingleValueWidget {
  return new cloudwatch.SingleValueWidget({
    title,
    metrics: [new cloudwatch.MathExpression({
      expression: `100 * (1 - ratio / ${errorRatioThreshold(objective, 1)})`,
      usingMetrics: { ratio: ratio30d },
      label: 'error budget left (%)',
      period: Duration.days(30),
    })],
    start: '-P30D',
    setPeriodToTimeRange: true,
    width: 8,
    height: 6,
  });
}
