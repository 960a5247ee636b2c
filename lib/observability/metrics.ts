import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Duration } from 'aws-cdk-lib';

/** Average CPU of every instance in an Auto Scaling group (what CPU target tracking follows). */
export function groupCpuMetric(group: autoscaling.IAutoScalingGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/EC2',
    metricName: 'CPUUtilization',
    dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName },
    statistic: cloudwatch.Stats.AVERAGE,
    period: Duration.minutes(1),
    ...props,
  });
}

/** Instances in service in an Auto Scaling group (group metrics are on for every tier). */
export function groupInServiceMetric(group: autoscaling.IAutoScalingGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/AutoScaling',
    metricName: 'GroupInServiceInstances',
    dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName },
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.minutes(1),
    ...props,
  });
}
