/**
 * Reads a `ScalingModel` from a CloudFormation template: any AWS::AutoScaling::AutoScalingGroup,
 * whoever wrote it, and the resources that point at it (scaling policies and their alarms,
 * scheduled actions, warm pool) or that it points at (target group, launch template).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped: every value read goes through literalNumber, a string check or a comparison with a known value. */
import { SPIKE_METADATA_KEY } from './constants';
import { DEFAULT_COOLDOWN_SECONDS, DEFAULT_FAIL_OPEN_MINIMUM_HEALTHY_TARGETS, DEFAULT_HEALTH_CHECK_GRACE_SECONDS, DEFAULT_TARGET_GROUP_HEALTH_CHECK } from './constants';
import {
  BASIC_MONITORING_PERIOD_SECONDS, DETAILED_MONITORING_PERIOD_SECONDS, LOAD_BALANCER_METRIC_PERIOD_SECONDS,
} from './constants';
import {
  DEFAULT_BOOT_SECONDS, DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE, DEFAULT_WARM_START_SECONDS, ScalingModel, SpikeAdjustmentType,
  SpikeAlarmModel, SpikeComparison, SpikeHealthCheckType, SpikeInputError, SpikeMetric, SpikeMetricModel, SpikeModelOptions,
  SpikeScheduledActionModel, SpikeSimpleScalingModel, SpikeStepScalingModel, SpikeTargetGroupModel, SpikeTargetTrackingModel,
  SpikeWarmPoolModel, SpikeWarmPoolState,
} from './model';

const ASG = 'AWS::AutoScaling::AutoScalingGroup';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

type Resources = Record<string, Resource>;

/** A group of a template: logical id and construct path (when the template has path metadata). */
export interface TemplateGroup {
  readonly logicalId: string;
  readonly path?: string;
}

/** Metadata of a Spot burst group (lib/fleet/spot-burst.ts): the logical id of the group it bursts for. */
export const SPOT_BURST_OF = 'cdk-web-tiers:spotBurstOf';

/** Every Auto Scaling group of a template. */
export function templateGroups(template: any): TemplateGroup[] {
  return Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === ASG)
    .map(([logicalId, r]) => ({ logicalId, path: r.Metadata?.['aws:cdk:path'] as string | undefined }));
}

/**
 * Finds a group by logical id, construct path, or the id of a construct on its path (a tier's id).
 */
export function findGroup(template: any, selector: string): TemplateGroup {
  const groups = templateGroups(template);
  const list = () => groups.length === 0 ? 'The template has no AWS::AutoScaling::AutoScalingGroup.'
    : `Groups in the template: ${groups.map(g => g.path ? `${g.logicalId} (${g.path})` : g.logicalId).join(', ')}.`;
  const exact = groups.find(g => g.logicalId === selector);
  if (exact) return exact;
  const wanted = selector.replace(/^\/+|\/+$/g, '');
  let matches = groups.filter(g => {
    if (!g.path) return false;
    return g.path === wanted || g.path.startsWith(`${wanted}/`) || g.path.includes(`/${wanted}/`) || g.path.endsWith(`/${wanted}`);
  });
  if (matches.length === 0) {
    // Without path metadata (cdk synth --no-path-metadata, Template.fromStack): CDK logical ids
    // start with the construct path below the stack, without separators.
    const prefix = wanted.replace(/[^A-Za-z0-9]/g, '');
    matches = groups.filter(g => !g.path && prefix !== '' && g.logicalId.startsWith(prefix));
  }
  if (matches.length === 1) return matches[0];
  // A tier's Spot burst group (spotBurst) sits beside its primary group: the tier's id means the primary one.
  const primary = matches.filter(g => resourcesOf(template)[g.logicalId].Metadata?.[SPOT_BURST_OF] === undefined);
  if (matches.length > 1 && primary.length === 1) return primary[0];
  if (matches.length > 1) {
    throw new SpikeInputError(`invalid group (${JSON.stringify(selector)}): it matches ${matches.length} groups. Give a longer construct path or a logical id. ${list()}`);
  }
  throw new SpikeInputError(`invalid group (${JSON.stringify(selector)}): no group has this logical id or construct path. ${list()}`);
}

/** Reads the scaling model of one group of a template. */
export function readTemplateModel(template: any, selector: string, options: SpikeModelOptions = {}): ScalingModel {
  const resources = resourcesOf(template);
  const group = findGroup(template, selector);
  const props = resources[group.logicalId].Properties ?? {};
  const where = (what: string) => `${group.path ?? group.logicalId}: ${what}`;
  const notes: string[] = [];

  // A tier's Spot burst group (spotBurst) scales on the same signals behind the same target group:
  // modelled as more room in this group (its standing minimum as more standing instances), whose
  // instances beyond the pool boot cold (a pool holds no Spot).
  const burst = Object.entries(resources).filter(([, r]) => r.Type === ASG && r.Metadata?.[SPOT_BURST_OF] === group.logicalId);
  const burstMax = burst.reduce((n, [id, r]) => n + literalNumber(r.Properties?.MaxSize, `${id}: MaxSize`), 0);
  const burstMin = burst.reduce((n, [id, r]) => n + literalNumber(r.Properties?.MinSize ?? 0, `${id}: MinSize`), 0);
  if (burst.length) notes.push(`${burst.map(([id]) => id).join(', ')}: a Spot burst group beside the group, modelled as ${burstMax} more instances of room (${burstMin} standing).`);
  const minCapacity = literalNumber(props.MinSize, where('MinSize')) + burstMin;
  const maxCapacity = literalNumber(props.MaxSize, where('MaxSize')) + burstMax;
  const desiredCapacity = props.DesiredCapacity === undefined ? minCapacity : literalNumber(props.DesiredCapacity, where('DesiredCapacity')) + burstMin;
  const cooldownSeconds = props.Cooldown === undefined ? DEFAULT_COOLDOWN_SECONDS : literalNumber(props.Cooldown, where('Cooldown'));
  const detailedMonitoring = readDetailedMonitoring(resources, props);
  const cpuPeriod = detailedMonitoring ? DETAILED_MONITORING_PERIOD_SECONDS : BASIC_MONITORING_PERIOD_SECONDS;
  const refersToGroup = (value: unknown) => isRefTo(value, group.logicalId);

  const targetTracking: SpikeTargetTrackingModel[] = [];
  const stepScaling: SpikeStepScalingModel[] = [];
  const simpleScaling: SpikeSimpleScalingModel[] = [];
  const scheduledActions: SpikeScheduledActionModel[] = [];
  let warmPool: SpikeWarmPoolModel | undefined;

  for (const [id, r] of sortedEntries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::AutoScaling::ScalingPolicy' && refersToGroup(p.AutoScalingGroupName)) {
      const type = p.PolicyType ?? 'SimpleScaling';
      const warmup = p.EstimatedInstanceWarmup === undefined ? undefined : literalNumber(p.EstimatedInstanceWarmup, where(`${id}.EstimatedInstanceWarmup`));
      if (type === 'TargetTrackingScaling') {
        const c = p.TargetTrackingConfiguration ?? {};
        targetTracking.push({
          name: id,
          metric: trackedMetric(c, cpuPeriod),
          targetValue: literalNumber(c.TargetValue, where(`${id}.TargetValue`)),
          disableScaleIn: c.DisableScaleIn === true || c.DisableScaleIn === 'true',
          estimatedInstanceWarmupSeconds: warmup,
        });
      } else if (type === 'StepScaling') {
        for (const alarm of alarmsOf(resources, id, cpuPeriod, where)) {
          stepScaling.push({
            name: id,
            alarm,
            adjustmentType: adjustmentType(p.AdjustmentType),
            steps: (p.StepAdjustments ?? []).map((s: any) => ({
              lowerBound: s.MetricIntervalLowerBound === undefined ? undefined : literalNumber(s.MetricIntervalLowerBound, where(`${id}.StepAdjustments`)),
              upperBound: s.MetricIntervalUpperBound === undefined ? undefined : literalNumber(s.MetricIntervalUpperBound, where(`${id}.StepAdjustments`)),
              adjustment: literalNumber(s.ScalingAdjustment, where(`${id}.StepAdjustments`)),
            })),
            minAdjustmentMagnitude: p.MinAdjustmentMagnitude === undefined ? undefined : literalNumber(p.MinAdjustmentMagnitude, where(`${id}.MinAdjustmentMagnitude`)),
            estimatedInstanceWarmupSeconds: warmup,
          });
        }
      } else if (type === 'SimpleScaling') {
        for (const alarm of alarmsOf(resources, id, cpuPeriod, where)) {
          simpleScaling.push({
            name: id,
            alarm,
            adjustmentType: adjustmentType(p.AdjustmentType),
            adjustment: literalNumber(p.ScalingAdjustment, where(`${id}.ScalingAdjustment`)),
            cooldownSeconds: p.Cooldown === undefined ? undefined : literalNumber(p.Cooldown, where(`${id}.Cooldown`)),
          });
        }
      } else {
        notes.push(`${id}: ${type} policies are not simulated (predictive scaling forecasts from two weeks of history the run does not have).`);
      }
    } else if (r.Type === 'AWS::AutoScaling::ScheduledAction' && refersToGroup(p.AutoScalingGroupName)) {
      scheduledActions.push({
        name: id,
        startTime: typeof p.StartTime === 'string' ? p.StartTime : undefined,
        recurrence: typeof p.Recurrence === 'string' ? p.Recurrence : undefined,
        timeZone: typeof p.TimeZone === 'string' ? p.TimeZone : undefined,
        minCapacity: p.MinSize === undefined ? undefined : literalNumber(p.MinSize, where(`${id}.MinSize`)),
        maxCapacity: p.MaxSize === undefined ? undefined : literalNumber(p.MaxSize, where(`${id}.MaxSize`)),
        desiredCapacity: p.DesiredCapacity === undefined ? undefined : literalNumber(p.DesiredCapacity, where(`${id}.DesiredCapacity`)),
      });
    } else if (r.Type === 'AWS::AutoScaling::WarmPool' && refersToGroup(p.AutoScalingGroupName)) {
      warmPool = {
        minSize: p.MinSize === undefined ? 0 : literalNumber(p.MinSize, where(`${id}.MinSize`)),
        maxGroupPreparedCapacity: p.MaxGroupPreparedCapacity === undefined || Number(p.MaxGroupPreparedCapacity) === -1
          ? undefined : literalNumber(p.MaxGroupPreparedCapacity, where(`${id}.MaxGroupPreparedCapacity`)),
        state: warmPoolState(p.PoolState),
      };
    }
  }

  const healthCheckType = props.HealthCheckType === 'ELB' ? SpikeHealthCheckType.ELB
    : typeof props.HealthCheckType === 'string' && props.HealthCheckType.split(',').map((s: string) => s.trim()).includes('ELB') ? SpikeHealthCheckType.ELB
      : SpikeHealthCheckType.EC2;
  const declared = readDeclaration(resources[group.logicalId].Metadata?.[SPIKE_METADATA_KEY], where);
  const bootSeconds = options.bootSeconds ?? declared.bootSeconds ?? DEFAULT_BOOT_SECONDS;
  if (options.bootSeconds === undefined) {
    notes.push(declared.bootSeconds === undefined
      ? `Boot time ${bootSeconds} s is the simulator's default: the template declares none (${SPIKE_METADATA_KEY} metadata); pass the measured value (bootSeconds, --boot-seconds).`
      : `Boot time ${bootSeconds} s as the template declares it${declared.basis ? ` (${declared.basis})` : ''}.`);
  }
  const spot = readSpot(resources, props);
  const declaredWarmStart = declared.warmStartSeconds === undefined ? undefined : Math.min(declared.warmStartSeconds, bootSeconds);
  return {
    name: group.path ? `${group.logicalId} (${group.path})` : group.logicalId,
    minCapacity,
    maxCapacity,
    desiredCapacity,
    healthCheckType,
    healthCheckGraceSeconds: props.HealthCheckGracePeriod === undefined ? DEFAULT_HEALTH_CHECK_GRACE_SECONDS : literalNumber(props.HealthCheckGracePeriod, where('HealthCheckGracePeriod')),
    cooldownSeconds,
    defaultInstanceWarmupSeconds: props.DefaultInstanceWarmup === undefined ? undefined : literalNumber(props.DefaultInstanceWarmup, where('DefaultInstanceWarmup')),
    detailedMonitoring,
    targetTracking,
    stepScaling,
    simpleScaling,
    scheduledActions,
    warmPool,
    targetGroup: readTargetGroup(resources, props.TargetGroupARNs, where),
    bootSeconds,
    warmStartSeconds: options.warmStartSeconds ?? (warmPool?.state === SpikeWarmPoolState.RUNNING ? 0 : declaredWarmStart ?? Math.min(DEFAULT_WARM_START_SECONDS, bootSeconds)),
    requestsPerSecondPerInstance: options.requestsPerSecondPerInstance ?? declared.requestsPerSecondPerInstance ?? DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE,
    metricPublicationDelaySeconds: options.metricPublicationDelaySeconds,
    spot: spot || undefined,
    availabilityObjectivePercent: options.availabilityObjectivePercent ?? declared.availabilityObjectivePercent,
    baselineRequestsPerSecond: declared.baselineRequestsPerSecond,
    notes,
  };
}

interface Declaration {
  readonly bootSeconds?: number;
  readonly warmStartSeconds?: number;
  readonly requestsPerSecondPerInstance?: number;
  readonly availabilityObjectivePercent?: number;
  readonly baselineRequestsPerSecond?: number;
  readonly basis?: string;
}

/** The tier's declaration in the group's metadata (see SpikeGroupDeclaration); every field optional. */
function readDeclaration(value: any, where: (w: string) => string): Declaration {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new SpikeInputError(`${where(SPIKE_METADATA_KEY)} metadata is ${JSON.stringify(value)}, not an object.`);
  const num = (k: string) => value[k] === undefined ? undefined : literalNumber(value[k], where(`${SPIKE_METADATA_KEY}.${k}`));
  return {
    bootSeconds: num('bootSeconds'),
    warmStartSeconds: num('warmStartSeconds'),
    requestsPerSecondPerInstance: num('requestsPerSecondPerInstance'),
    availabilityObjectivePercent: num('availabilityObjectivePercent'),
    baselineRequestsPerSecond: num('baselineRequestsPerSecond'),
    basis: typeof value.basis === 'string' ? value.basis : undefined,
  };
}

/** Whether the group launches Spot instances: a mixed instances policy with Spot above its On-Demand part, or a Spot launch template. */
function readSpot(resources: Resources, props: Record<string, any>): boolean {
  const distribution = props.MixedInstancesPolicy?.InstancesDistribution;
  if (props.MixedInstancesPolicy) {
    const above = distribution?.OnDemandPercentageAboveBaseCapacity === undefined ? 100 : Number(distribution.OnDemandPercentageAboveBaseCapacity);
    if (above < 100) return true;
  }
  const ltId = refId(props.LaunchTemplate?.LaunchTemplateId) ?? refId(props.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId);
  return ltId !== undefined && resources[ltId]?.Properties?.LaunchTemplateData?.InstanceMarketOptions?.MarketType === 'spot';
}

function resourcesOf(template: any): Resources {
  if (!template || typeof template !== 'object' || typeof template.Resources !== 'object') {
    throw new SpikeInputError('invalid template: it has no Resources section. Pass a synthesized CloudFormation template (cdk.out/<Stack>.template.json).');
  }
  return template.Resources as Resources;
}

function sortedEntries(resources: Resources): Array<[string, Resource]> {
  return Object.entries(resources).sort(([a], [b]) => a.localeCompare(b));
}

function isRefTo(value: unknown, logicalId: string): boolean {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, any>;
  return v.Ref === logicalId || (Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][0] === logicalId);
}

function refId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, any>;
  if (typeof v.Ref === 'string') return v.Ref;
  if (Array.isArray(v['Fn::GetAtt'])) return v['Fn::GetAtt'][0];
  return undefined;
}

function literalNumber(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) {
    throw new SpikeInputError(`${what} is ${JSON.stringify(value)}, not a number the simulator can read. ` +
      'Parameters and other references are resolved only at deploy time: synthesize with literal values (or give them as context) to simulate.');
  }
  return n;
}

function readDetailedMonitoring(resources: Resources, props: Record<string, any>): boolean {
  const ltId = refId(props.LaunchTemplate?.LaunchTemplateId)
    ?? refId(props.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId);
  if (ltId && resources[ltId]) {
    // A launch template without Monitoring gives basic (5-minute) monitoring.
    return resources[ltId].Properties?.LaunchTemplateData?.Monitoring?.Enabled === true;
  }
  const lcId = refId(props.LaunchConfigurationName);
  if (lcId && resources[lcId]) {
    // A launch configuration's InstanceMonitoring defaults to true.
    return resources[lcId].Properties?.InstanceMonitoring !== false;
  }
  return false;
}

function trackedMetric(c: Record<string, any>, cpuPeriod: number): SpikeMetricModel {
  const predefined = c.PredefinedMetricSpecification?.PredefinedMetricType;
  if (predefined === 'ASGAverageCPUUtilization') return { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: cpuPeriod };
  if (predefined === 'ALBRequestCountPerTarget') return { metric: SpikeMetric.REQUEST_COUNT_PER_TARGET, periodSeconds: LOAD_BALANCER_METRIC_PERIOD_SECONDS };
  if (predefined) return { metric: SpikeMetric.UNSUPPORTED, periodSeconds: cpuPeriod, description: predefined };
  const custom = c.CustomizedMetricSpecification ?? {};
  const period = custom.Period === undefined ? undefined : Number(custom.Period);
  return metricOf(custom.Namespace, custom.MetricName, period, cpuPeriod);
}

function metricOf(namespace: unknown, name: unknown, period: number | undefined, cpuPeriod: number): SpikeMetricModel {
  if (namespace === 'AWS/EC2' && name === 'CPUUtilization') {
    // EC2 publishes no faster than the monitoring allows, whatever the alarm's period.
    return { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: Math.max(period ?? cpuPeriod, cpuPeriod) };
  }
  if (namespace === 'AWS/ApplicationELB' && name === 'RequestCountPerTarget') {
    return { metric: SpikeMetric.REQUEST_COUNT_PER_TARGET, periodSeconds: Math.max(period ?? 60, LOAD_BALANCER_METRIC_PERIOD_SECONDS) };
  }
  if (namespace === 'AWS/ApplicationELB' && name === 'RequestCount') {
    return { metric: SpikeMetric.REQUEST_COUNT, periodSeconds: Math.max(period ?? 60, LOAD_BALANCER_METRIC_PERIOD_SECONDS) };
  }
  return { metric: SpikeMetric.UNSUPPORTED, periodSeconds: period ?? 60, description: `${String(namespace)} ${String(name)}` };
}

/** The alarms whose actions invoke a policy. */
function alarmsOf(resources: Resources, policyId: string, cpuPeriod: number, where: (w: string) => string): SpikeAlarmModel[] {
  const alarms: SpikeAlarmModel[] = [];
  for (const [id, r] of sortedEntries(resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties ?? {};
    if (!(p.AlarmActions ?? []).some((a: unknown) => isRefTo(a, policyId))) continue;
    let metric: SpikeMetricModel;
    let period: number;
    if (p.MetricName !== undefined) {
      period = literalNumber(p.Period, where(`${id}.Period`));
      metric = metricOf(p.Namespace, p.MetricName, period, cpuPeriod);
    } else {
      // Metric math: only a single returned metric with a plain statistic is understood.
      const returned = (p.Metrics ?? []).filter((m: any) => m.ReturnData !== false);
      const stat = returned.length === 1 ? returned[0].MetricStat : undefined;
      period = stat ? literalNumber(stat.Period, where(`${id}.Metrics`)) : 60;
      metric = stat ? metricOf(stat.Metric?.Namespace, stat.Metric?.MetricName, period, cpuPeriod)
        : { metric: SpikeMetric.UNSUPPORTED, periodSeconds: 60, description: `the metric math of ${id}` };
    }
    const evaluationPeriods = literalNumber(p.EvaluationPeriods, where(`${id}.EvaluationPeriods`));
    alarms.push({
      metric,
      threshold: literalNumber(p.Threshold, where(`${id}.Threshold`)),
      comparison: comparison(p.ComparisonOperator, where(`${id}.ComparisonOperator`)),
      evaluationPeriods,
      datapointsToAlarm: p.DatapointsToAlarm === undefined ? evaluationPeriods : literalNumber(p.DatapointsToAlarm, where(`${id}.DatapointsToAlarm`)),
    });
  }
  return alarms;
}

function comparison(value: unknown, what: string): SpikeComparison {
  const found = Object.values(SpikeComparison).find(c => c === value);
  if (!found) throw new SpikeInputError(`${what} is ${JSON.stringify(value)}: the simulator reads only the four static comparisons (GreaterThanThreshold, ...).`);
  return found;
}

function adjustmentType(value: unknown): SpikeAdjustmentType {
  return Object.values(SpikeAdjustmentType).find(a => a === value) ?? SpikeAdjustmentType.CHANGE_IN_CAPACITY;
}

function warmPoolState(value: unknown): SpikeWarmPoolState {
  return Object.values(SpikeWarmPoolState).find(s => s === value) ?? SpikeWarmPoolState.STOPPED;
}

function readTargetGroup(resources: Resources, arns: unknown, where: (w: string) => string): SpikeTargetGroupModel | undefined {
  const ids = Array.isArray(arns) ? arns.map(refId).filter((id): id is string => !!id && resources[id]?.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup') : [];
  if (ids.length === 0) return undefined;
  const id = ids[0];
  const p = resources[id].Properties ?? {};
  const d = DEFAULT_TARGET_GROUP_HEALTH_CHECK;
  const attributes: Record<string, string> = {};
  for (const a of p.TargetGroupAttributes ?? []) attributes[a.Key] = String(a.Value);
  const num = (value: unknown, fallback: number, what: string) => value === undefined ? fallback : literalNumber(value, where(`${id}.${what}`));
  const percentage = attributes['target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage'];
  const count = attributes['target_group_health.unhealthy_state_routing.minimum_healthy_targets.count'];
  return {
    intervalSeconds: num(p.HealthCheckIntervalSeconds, d.intervalSeconds, 'HealthCheckIntervalSeconds'),
    timeoutSeconds: num(p.HealthCheckTimeoutSeconds, d.timeoutSeconds, 'HealthCheckTimeoutSeconds'),
    healthyThreshold: num(p.HealthyThresholdCount, d.healthyThreshold, 'HealthyThresholdCount'),
    unhealthyThreshold: num(p.UnhealthyThresholdCount, d.unhealthyThreshold, 'UnhealthyThresholdCount'),
    slowStartSeconds: num(attributes['slow_start.duration_seconds'], 0, 'slow_start.duration_seconds'),
    failOpenHealthyPercentage: percentage === undefined || percentage === 'off' ? undefined : literalNumber(percentage, where(`${id}.${'minimum_healthy_targets.percentage'}`)),
    failOpenMinimumHealthyTargets: count === undefined ? DEFAULT_FAIL_OPEN_MINIMUM_HEALTHY_TARGETS : literalNumber(count, where(`${id}.minimum_healthy_targets.count`)),
  };
}
