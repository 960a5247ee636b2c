/** Readers for the alarms in a synthesized template. */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TierNotifications } from '../../lib';
import { logicalIdOf } from '../helpers';

/** The CloudFormation properties of an alarm (L2 or composite). */
export function alarmProps(template: Template, alarm: cloudwatch.IAlarm & { node: any }): Record<string, any> {
  return template.toJSON().Resources[logicalIdOf(alarm as any)].Properties;
}

/** The one metric (namespace, name, stat, period, dimension keys) of a single-metric alarm. */
export function singleMetric(p: Record<string, any>): Record<string, unknown> {
  return { namespace: p.Namespace, metricName: p.MetricName, statistic: p.Statistic ?? p.ExtendedStatistic, period: p.Period, dimensions: (p.Dimensions ?? []).map((d: any) => d.Name).sort() };
}

/** The metric math of an alarm: the expression and each metric's name, stat and period, by id. */
export function mathOf(p: Record<string, any>): { expression: string; period: number; metrics: Record<string, { metricName: string; stat: string; period: number }> } {
  const queries: any[] = p.Metrics;
  const expression = queries.find(q => q.ReturnData !== false && q.Expression);
  const metrics: Record<string, { metricName: string; stat: string; period: number }> = {};
  for (const q of queries.filter(m => m.MetricStat)) {
    metrics[q.Id] = { metricName: q.MetricStat.Metric.MetricName, stat: q.MetricStat.Stat, period: q.MetricStat.Period };
  }
  return { expression: expression.Expression, period: expression.Period, metrics };
}

/** The stack's notifications topic, as alarms reference it. */
export function topicRef(stack: Stack): unknown {
  return { Ref: logicalIdOf(TierNotifications.of(stack).topic) };
}

/** Evaluation settings and action of an alarm. */
export function evaluation(p: Record<string, any>): Record<string, unknown> {
  return {
    threshold: p.Threshold,
    comparison: p.ComparisonOperator,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm,
    treatMissingData: p.TreatMissingData,
  };
}
