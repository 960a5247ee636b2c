import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../common/acknowledge';
import { cronNeverFiresReason } from '../common/cron';
import { checkTimeZone } from '../common/input-checks';
import { checkInteger, checkRange, invalid, isResolved } from '../common/validation';
import { groupCpuMetric } from '../observability/metrics';
import { PrepareForOptions, WebTierScaling } from './web-tier-props';

/** What the scaling of a web tier acts on. */
interface ScaledWebTier extends Construct {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
}

/** Checks the scaling props, scheduled actions against the capacity they will meet. */
export function validateScaling(scope: Construct, scaling: WebTierScaling | undefined, capacity: { min: number; max: number }): void {
  if (!scaling) return;
  const cpu = scaling.targetCpuPercent;
  if (cpu !== undefined && !Token.isUnresolved(cpu) && !(cpu > 0 && cpu <= 100)) {
    invalid(scope, 'CWT233', 'scaling.targetCpuPercent', cpu, 'Use a percentage above 0 and at most 100, for example 50.');
  }
  checkRange(scope, 'CWT234', 'scaling.requestsPerTargetPerMinute', scaling.requestsPerTargetPerMinute, 1, 1_000_000, 'Use a positive number of requests per minute per instance, for example 1000.');
  checkRange(scope, 'CWT235', 'scaling.requestsPerSecondPerInstance', scaling.requestsPerSecondPerInstance, 0.01, 1_000_000,
    'Use the requests per second one instance serves at full load (measure one instance under load), for example 100.');
  const names = new Set<string>();
  for (const action of scaling.scheduled ?? []) {
    if (names.has(action.name)) invalid(scope, 'CWT236', 'scaling.scheduled[].name', action.name, 'Each scheduled action needs a unique name.');
    names.add(action.name);
    if (action.min === undefined && action.max === undefined && action.desired === undefined) {
      invalid(scope, 'CWT237', `scaling.scheduled[${action.name}]`, 'no capacity', 'Set at least one of min, max or desired.');
    }
    if (action.min !== undefined && action.max !== undefined && action.min > action.max) {
      invalid(scope, 'CWT238', `scaling.scheduled[${action.name}].min`, action.min, `It is greater than max (${action.max}).`);
    }
    // What the group will be asked for once the action runs (unset values stay as they are).
    const min = action.min ?? capacity.min;
    const max = action.max ?? capacity.max;
    if (isResolved(min) && isResolved(max) && min > max) {
      invalid(scope, 'CWT239', `scaling.scheduled[${action.name}]`, `min ${min}, max ${max}`,
        `With ${action.min === undefined ? `capacity.min (${min})` : `min ${min}`} and ${action.max === undefined ? `capacity.max (${max})` : `max ${max}`} Auto Scaling rejects the action: set both min and max in the action.`);
    }
    if (action.desired !== undefined && isResolved(action.desired) && isResolved(min) && isResolved(max) && (action.desired < min || action.desired > max)) {
      invalid(scope, 'CWT240', `scaling.scheduled[${action.name}].desired`, action.desired,
        `It must lie between the group's min (${min}) and max (${max}) when the action runs: set min or max in the action too.`);
    }
    checkTimeZone(scope, `scaling.scheduled[${action.name}].timeZone`, action.timeZone);
    const never = Token.isUnresolved(action.schedule.expressionString) ? undefined : cronNeverFiresReason(action.schedule.expressionString);
    if (never) {
      invalid(scope, 'CWT241', `scaling.scheduled[${action.name}].schedule`, action.schedule.expressionString, `The schedule never fires: ${never}.`);
    }
  }
}

/**
 * The tier's scaling policies: CPU target tracking, request count tracking when the tier knows
 * its rate, burst steps, predictive scaling and scheduled actions.
 */
export function addScalingPolicies(tier: ScaledWebTier, scaling: WebTierScaling): void {
  tier.autoScalingGroup.scaleOnCpuUtilization('CpuTracking', {
    targetUtilizationPercent: scaling.targetCpuPercent ?? 50,
  });
  const perInstance = scaling.requestsPerSecondPerInstance;
  const requestTarget = scaling.requestsPerTargetPerMinute ?? (perInstance === undefined ? undefined : Math.round(perInstance * 60 * 0.7));
  if (requestTarget !== undefined) {
    const policy = tier.autoScalingGroup.scaleOnRequestCount('RequestTracking', {
      targetRequestsPerMinute: requestTarget,
    });
    acknowledgeFindings(policy,
      'aws-cdk-lib\'s scaleOnRequestCount makes the policy depend on the listener explicitly (so the target group is attached first) as well as through the ' +
      'resource label\'s references: the DependsOn is redundant, not wrong.',
      'W3005');
  }
  if (scaling.burstSteps ?? true) addBurstSteps(tier, perInstance);
  if (scaling.predictive) {
    // aws-cdk-lib has no L2 for predictive scaling.
    new autoscaling.CfnScalingPolicy(tier, 'PredictiveScaling', {
      autoScalingGroupName: tier.autoScalingGroup.autoScalingGroupName,
      policyType: 'PredictiveScaling',
      predictiveScalingConfiguration: {
        mode: 'ForecastAndScale',
        schedulingBufferTime: 600,
        metricSpecifications: [{
          targetValue: scaling.targetCpuPercent ?? 50,
          predefinedMetricPairSpecification: { predefinedMetricType: 'ASGCPUUtilization' },
        }],
      },
    });
  }
  for (const action of scaling.scheduled ?? []) {
    tier.autoScalingGroup.scaleOnSchedule(action.name, {
      schedule: action.schedule,
      minCapacity: action.min,
      maxCapacity: action.max,
      desiredCapacity: action.desired,
      timeZone: action.timeZone,
    });
  }
}

/**
 * One-time scheduled actions for a known event: `capacity` instances from `leadTime` before `at`,
 * the minimum back to `capacity.min` at `at + duration`.
 */
export function addPreparedEvent(tier: ScaledWebTier, name: string, options: PrepareForOptions, capacity: { min: number; max: number }): void {
  const at = options.at.getTime();
  if (!Number.isFinite(at)) invalid(tier, 'CWT242', `prepareFor(${name}).at`, String(options.at), 'Use a valid Date, for example new Date(\'2026-03-01T20:00:00Z\').');
  checkInteger(tier, 'CWT243', `prepareFor(${name}).capacity`, options.capacity, 1, 10_000);
  if (isResolved(capacity.max) && options.capacity > capacity.max) {
    invalid(tier, 'CWT244', `prepareFor(${name}).capacity`, options.capacity, `It is above capacity.max (${capacity.max}): raise capacity.max or prepare fewer instances.`);
  }
  const lead = options.leadTime ?? Duration.minutes(15);
  if (options.duration.toSeconds() <= 0) invalid(tier, 'CWT245', `prepareFor(${name}).duration`, options.duration.toHumanString(), 'Use a positive duration, for example Duration.hours(1).');
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Auto Scaling refuses a one-time scheduled action whose start time has passed, and only at deploy time.
  if (at - lead.toMilliseconds() <= Date.now()) {
    invalid(tier, `prepareFor(${name}).at`, stamp(at),
      `Its capacity would be requested at ${stamp(at - lead.toMilliseconds())} (leadTime before at), which has passed: Auto Scaling refuses a one-time ` +
      'scheduled action that starts in the past. Remove the event, or give it a future date.');
  }
  // One-time actions (StartTime, no recurrence): the L2 ScheduledAction always recurs.
  new autoscaling.CfnScheduledAction(tier, `Prepare-${name}`, {
    autoScalingGroupName: tier.autoScalingGroup.autoScalingGroupName,
    startTime: stamp(at - lead.toMilliseconds()),
    minSize: options.capacity,
    desiredCapacity: options.capacity,
  });
  new autoscaling.CfnScheduledAction(tier, `Release-${name}`, {
    autoScalingGroupName: tier.autoScalingGroup.autoScalingGroupName,
    startTime: stamp(at + options.duration.toMilliseconds()),
    minSize: capacity.min,
  });
}

/**
 * Step scaling next to target tracking: one datapoint of one minute is enough, and the steps are
 * large, because a saturated CPU hides how far demand went past capacity. Built from
 * StepScalingAction and an alarm rather than scaleOnMetric, which passes a deprecated cooldown and
 * makes aws-cdk-lib print a deprecation warning at every synth.
 */
function addBurstSteps(tier: ScaledWebTier, requestsPerSecondPerInstance: number | undefined): void {
  burstPolicy(tier, 'CpuBurst', groupCpuMetric(tier.autoScalingGroup, { period: Duration.minutes(1) }), 70, [
    { lowerBound: 0, upperBound: 15, adjustment: 100 },
    { lowerBound: 15, upperBound: 25, adjustment: 200 },
    { lowerBound: 25, adjustment: 700 },
  ]);
  if (requestsPerSecondPerInstance === undefined) return;
  const full = requestsPerSecondPerInstance * 60;
  // Request count does not saturate: the step follows how many times capacity the demand is.
  burstPolicy(tier, 'RequestBurst', tier.targetGroup.metrics.requestCountPerTarget({ period: Duration.minutes(1), statistic: 'Sum' }), full, [
    { lowerBound: 0, upperBound: full, adjustment: 100 },
    { lowerBound: full, upperBound: 3 * full, adjustment: 300 },
    { lowerBound: 3 * full, upperBound: 7 * full, adjustment: 700 },
    { lowerBound: 7 * full, adjustment: 1500 },
  ]);
}

function burstPolicy(tier: ScaledWebTier, id: string, metric: cloudwatch.IMetric, threshold: number, steps: autoscaling.AdjustmentTier[]): void {
  const action = new autoscaling.StepScalingAction(tier.autoScalingGroup, id, {
    autoScalingGroup: tier.autoScalingGroup,
    adjustmentType: autoscaling.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
    metricAggregationType: autoscaling.MetricAggregationType.AVERAGE,
    // Instances enter service only once their app answers (launch lifecycle hook), so one
    // minute after that their metrics tell the truth.
    estimatedInstanceWarmup: Duration.minutes(1),
  });
  for (const step of steps) action.addAdjustment(step);
  new cloudwatch.Alarm(tier.autoScalingGroup, `${id}Alarm`, {
    metric,
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    alarmDescription: `Burst scale-out of ${tier.node.path}`,
  }).addAlarmAction(new cloudwatchActions.AutoScalingAction(action));
}
