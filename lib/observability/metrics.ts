import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Duration } from 'aws-cdk-lib';

/** Average CPU of every instance in an Auto Scaling group (what CPU target tracking follows). */
export function groupCpuMetric(group: autoscaling.IAutoScalingGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return groupMetric(group, 'AWS/EC2', 'CPUUtilization', cloudwatch.Stats.AVERAGE, props);
}

/** Instances in service in an Auto Scaling group (group metrics are on for every tier). */
export function groupInServiceMetric(group: autoscaling.IAutoScalingGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return groupMetric(group, 'AWS/AutoScaling', 'GroupInServiceInstances', cloudwatch.Stats.MINIMUM, props);
}

/** A one-minute metric with the group's name as its only dimension. */
export function groupMetric(group: autoscaling.IAutoScalingGroup, namespace: string, metricName: string, statistic: string,
  props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName },
    statistic,
    period: Duration.minutes(1),
    ...props,
  });
}
