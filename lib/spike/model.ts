/**
 * `ScalingModel`: everything the spike simulator needs to know about one Auto Scaling group,
 * filled from a construct (`SpikeSimulation.of`) or a synthesized template
 * (`SpikeSimulation.fromTemplate`). Plain data, so that the simulator, `expectSpike`, the CLI,
 * the chart and the benchmark all consume one shape.
 */

/** What a scaling policy or alarm watches, as far as the simulator can reproduce it. */
export enum SpikeMetric {
  /** Average CPU of the group's instances (AWS/EC2 CPUUtilization, ASGAverageCPUUtilization). */
  CPU_UTILIZATION = 'CPU_UTILIZATION',
  /** Requests per target per period (AWS/ApplicationELB RequestCountPerTarget, ALBRequestCountPerTarget). */
  REQUEST_COUNT_PER_TARGET = 'REQUEST_COUNT_PER_TARGET',
  /** Requests to the target group per period (AWS/ApplicationELB RequestCount). */
  REQUEST_COUNT = 'REQUEST_COUNT',
  /** Any other metric: the simulator never sees it breach, and says so in its notes. */
  UNSUPPORTED = 'UNSUPPORTED',
}

/** How an alarm compares its metric with its threshold. */
export enum SpikeComparison {
  /** metric >= threshold */
  GREATER_THAN_OR_EQUAL = 'GreaterThanOrEqualToThreshold',
  /** metric > threshold */
  GREATER_THAN = 'GreaterThanThreshold',
  /** metric < threshold */
  LESS_THAN = 'LessThanThreshold',
  /** metric <= threshold */
  LESS_THAN_OR_EQUAL = 'LessThanOrEqualToThreshold',
}

/** How a step or simple policy's adjustment changes capacity. */
export enum SpikeAdjustmentType {
  /** Add (or remove) this many instances. */
  CHANGE_IN_CAPACITY = 'ChangeInCapacity',
  /** Add (or remove) this percentage of the current capacity. */
  PERCENT_CHANGE_IN_CAPACITY = 'PercentChangeInCapacity',
  /** Set the capacity to this value. */
  EXACT_CAPACITY = 'ExactCapacity',
}

/** Which health checks make the group replace an instance. */
export enum SpikeHealthCheckType {
  /** Only EC2 status: an overloaded but running instance is kept. */
  EC2 = 'EC2',
  /** The load balancer's health check too: an instance that fails it is replaced. */
  ELB = 'ELB',
}

/** State of the instances waiting in a warm pool. */
export enum SpikeWarmPoolState {
  /** Stopped: pay only for volumes; leaving the pool starts the instance. */
  STOPPED = 'Stopped',
  /** Running: pay for the instance; leaving the pool is immediate. */
  RUNNING = 'Running',
  /** Hibernated: memory saved to the volume; leaving the pool resumes it. */
  HIBERNATED = 'Hibernated',
}

/** A metric as a policy or alarm reads it. */
export interface SpikeMetricModel {
  /** Which metric. */
  readonly metric: SpikeMetric;
  /** Seconds per datapoint (10 for high resolution, 60, or 300 with basic monitoring). */
  readonly periodSeconds: number;
  /**
   * The metric's name as written in the template, for notes about unsupported metrics.
   *
   * @default - the name of `metric`
   */
  readonly description?: string;
}

/** A CloudWatch alarm that invokes a step or simple scaling policy. */
export interface SpikeAlarmModel {
  /** What the alarm watches. */
  readonly metric: SpikeMetricModel;
  /** Threshold the metric is compared with. */
  readonly threshold: number;
  /** How the metric is compared with the threshold. */
  readonly comparison: SpikeComparison;
  /** Number of most recent datapoints the alarm looks at. */
  readonly evaluationPeriods: number;
  /** How many of them must breach. */
  readonly datapointsToAlarm: number;
}

/** A target tracking policy. */
export interface SpikeTargetTrackingModel {
  /** Logical id or name of the policy. */
  readonly name: string;
  /** The metric tracked. */
  readonly metric: SpikeMetricModel;
  /** The value the policy keeps the metric at. */
  readonly targetValue: number;
  /** The policy never removes instances. */
  readonly disableScaleIn: boolean;
  /**
   * Seconds before a new instance's metrics count.
   *
   * @default - the group's default instance warm-up, else its cooldown
   */
  readonly estimatedInstanceWarmupSeconds?: number;
}

/** One step of a step scaling policy, bounds relative to the alarm threshold. */
export interface SpikeStepModel {
  /**
   * Lower bound of (metric - threshold), inclusive.
   *
   * @default - minus infinity
   */
  readonly lowerBound?: number;
  /**
   * Upper bound of (metric - threshold), exclusive.
   *
   * @default - infinity
   */
  readonly upperBound?: number;
  /** The adjustment when the breach falls in this step. */
  readonly adjustment: number;
}

/** A step scaling policy with the alarm that invokes it (one entry per alarm). */
export interface SpikeStepScalingModel {
  /** Logical id or name of the policy. */
  readonly name: string;
  /** The alarm. */
  readonly alarm: SpikeAlarmModel;
  /** How adjustments apply. */
  readonly adjustmentType: SpikeAdjustmentType;
  /** The steps. */
  readonly steps: SpikeStepModel[];
  /**
   * Smallest change of a percentage adjustment.
   *
   * @default - 1
   */
  readonly minAdjustmentMagnitude?: number;
  /**
   * Seconds a new instance counts as warming up.
   *
   * @default - the group's default instance warm-up, else its cooldown
   */
  readonly estimatedInstanceWarmupSeconds?: number;
}

/** A simple scaling policy with the alarm that invokes it. */
export interface SpikeSimpleScalingModel {
  /** Logical id or name of the policy. */
  readonly name: string;
  /** The alarm. */
  readonly alarm: SpikeAlarmModel;
  /** How the adjustment applies. */
  readonly adjustmentType: SpikeAdjustmentType;
  /** The adjustment. */
  readonly adjustment: number;
  /**
   * Seconds to wait after an activity before acting again.
   *
   * @default - the group's cooldown
   */
  readonly cooldownSeconds?: number;
}

/** A scheduled action. */
export interface SpikeScheduledActionModel {
  /** Logical id or name. */
  readonly name: string;
  /**
   * One-time start (ISO 8601, UTC unless it names an offset).
   *
   * @default - none; recurring only
   */
  readonly startTime?: string;
  /**
   * Cron expression (5 fields, UTC unless `timeZone`).
   *
   * @default - runs once at `startTime`
   */
  readonly recurrence?: string;
  /**
   * IANA time zone of `recurrence`.
   *
   * @default - UTC
   */
  readonly timeZone?: string;
  /**
   * New minimum.
   *
   * @default - unchanged
   */
  readonly minCapacity?: number;
  /**
   * New maximum.
   *
   * @default - unchanged
   */
  readonly maxCapacity?: number;
  /**
   * New desired capacity.
   *
   * @default - unchanged
   */
  readonly desiredCapacity?: number;
}

/** A warm pool of pre-initialized instances. */
export interface SpikeWarmPoolModel {
  /** Fewest instances kept in the pool. */
  readonly minSize: number;
  /**
   * Group plus pool never exceed this many instances.
   *
   * @default - the group's maximum
   */
  readonly maxGroupPreparedCapacity?: number;
  /** State of the pooled instances. */
  readonly state: SpikeWarmPoolState;
}

/** The target group's health check and routing. */
export interface SpikeTargetGroupModel {
  /** Seconds between health checks. */
  readonly intervalSeconds: number;
  /** Seconds an answer may take. */
  readonly timeoutSeconds: number;
  /** Consecutive successes before a target receives traffic. */
  readonly healthyThreshold: number;
  /** Consecutive failures before a target stops receiving traffic. */
  readonly unhealthyThreshold: number;
  /** Seconds of slow start (0: off). */
  readonly slowStartSeconds: number;
  /**
   * Below this percentage of healthy targets the load balancer routes to all targets (fail open).
   *
   * @default - off: fail open only when fewer than `failOpenMinimumHealthyTargets` are healthy
   */
  readonly failOpenHealthyPercentage?: number;
  /** Below this many healthy targets the load balancer routes to all targets. */
  readonly failOpenMinimumHealthyTargets: number;
}

/**
 * One Auto Scaling group's scaling configuration, plus what a configuration cannot say (boot
 * time and per-instance capacity).
 */
export interface ScalingModel {
  /** The group's logical id (and construct path when known). */
  readonly name: string;
  /** Group minimum. */
  readonly minCapacity: number;
  /** Group maximum. */
  readonly maxCapacity: number;
  /** Instances when the simulation starts. */
  readonly desiredCapacity: number;
  /** What makes the group replace an instance. */
  readonly healthCheckType: SpikeHealthCheckType;
  /** Seconds after an instance enters service during which failed health checks are ignored. */
  readonly healthCheckGraceSeconds: number;
  /** The group's default cooldown. */
  readonly cooldownSeconds: number;
  /**
   * The group's default instance warm-up.
   *
   * @default - none: each policy's estimated warm-up, else the cooldown
   */
  readonly defaultInstanceWarmupSeconds?: number;
  /** Whether instances publish one-minute EC2 metrics (detailed monitoring). */
  readonly detailedMonitoring: boolean;
  /** Target tracking policies. */
  readonly targetTracking: SpikeTargetTrackingModel[];
  /** Step scaling policies, one entry per alarm. */
  readonly stepScaling: SpikeStepScalingModel[];
  /** Simple scaling policies, one entry per alarm. */
  readonly simpleScaling: SpikeSimpleScalingModel[];
  /** Scheduled actions. */
  readonly scheduledActions: SpikeScheduledActionModel[];
  /**
   * The warm pool.
   *
   * @default - none
   */
  readonly warmPool?: SpikeWarmPoolModel;
  /**
   * The target group the instances serve through.
   *
   * @default - none: instances serve as soon as they booted, and nobody checks their health
   */
  readonly targetGroup?: SpikeTargetGroupModel;
  /** Seconds from launch until the app answers (image boot, packages, build, start). */
  readonly bootSeconds: number;
  /** Seconds from leaving a warm pool until the app answers. */
  readonly warmStartSeconds: number;
  /** Requests per second one instance serves at 100 % CPU, with answers in time. */
  readonly requestsPerSecondPerInstance: number;
  /**
   * Seconds after a datapoint's period ends until alarms can use it.
   *
   * @default - 120 for periods of a minute or less, 600 for five-minute data (AWS documents no number: the pessimistic end of what is published)
   */
  readonly metricPublicationDelaySeconds?: number;
  /**
   * Whether the group runs Spot instances (a mixed instances policy above an On-Demand base, or a
   * Spot launch template). A warm pool cannot hold Spot instances, so it gets no credit.
   *
   * @default false
   */
  readonly spot?: boolean;
  /**
   * Availability objective (percent of requests answered) the spike's failed requests count against.
   *
   * @default 99.9
   */
  readonly availabilityObjectivePercent?: number;
  /**
   * Demand before the spike that the tier declares, in requests per second.
   *
   * @default - 100 requests per second (the same for every template)
   */
  readonly baselineRequestsPerSecond?: number;
  /** What the reader found but the simulator does not reproduce (predictive scaling, unknown metrics). */
  readonly notes: string[];
}

/**
 * What a template or construct cannot say: how fast the app boots and how much one instance
 * serves. The defaults are the same for every configuration, so that comparisons are fair.
 */
export interface SpikeModelOptions {
  /**
   * Requests per second one instance serves at full CPU, answers still in time.
   *
   * @default 100
   */
  readonly requestsPerSecondPerInstance?: number;
  /**
   * Seconds from launch until the app answers its health check (measure yours: a pre-baked
   * image takes one to two minutes, a git clone and build at boot several).
   *
   * @default 120
   */
  readonly bootSeconds?: number;
  /**
   * Seconds from leaving a warm pool until the app answers.
   *
   * @default - 40 for stopped and hibernated pools (instance start, app start), 0 for running pools
   */
  readonly warmStartSeconds?: number;
  /**
   * Seconds after a datapoint's period ends until alarms can use it.
   *
   * @default - 120 for periods of a minute or less, 600 for five-minute data
   */
  readonly metricPublicationDelaySeconds?: number;
  /**
   * Availability objective (percent) that failed requests burn the error budget of.
   *
   * @default - the tier's declared objective, else 99.9
   */
  readonly availabilityObjectivePercent?: number;
}

/**
 * What a tier declares about its group for the spike simulator, written into the group's
 * CloudFormation metadata under `cdk-web-tiers:spike` and read back by the simulator, the CLI,
 * `expectSpike` and the delivery pipeline's gate.
 */
export interface SpikeGroupDeclaration {
  /** Seconds from launch until the app answers (image boot, packages, build, start). */
  readonly bootSeconds: number;
  /**
   * Seconds from leaving a stopped or hibernated warm pool until the app answers.
   *
   * @default - the model's default warm start
   */
  readonly warmStartSeconds?: number;
  /**
   * Requests per second one instance serves.
   *
   * @default - 100
   */
  readonly requestsPerSecondPerInstance?: number;
  /**
   * Availability objective in percent.
   *
   * @default - 99.9
   */
  readonly availabilityObjectivePercent?: number;
  /**
   * Demand before a spike, in requests per second.
   *
   * @default - 100
   */
  readonly baselineRequestsPerSecond?: number;
  /**
   * How the boot time was reached, for the report (for example "image baked, 3 boot steps").
   *
   * @default - none
   */
  readonly basis?: string;
}

/** Default of {@link SpikeModelOptions.requestsPerSecondPerInstance}. */
export const DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE = 100;
/** Default of {@link SpikeModelOptions.bootSeconds}. */
export const DEFAULT_BOOT_SECONDS = 120;
/** Default of {@link SpikeModelOptions.warmStartSeconds} for stopped and hibernated pools. */
export const DEFAULT_WARM_START_SECONDS = 40;

/** Thrown when a model, profile or option cannot be simulated; the message says what and how to fix it. */
export class SpikeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpikeInputError';
  }
}

/** Checks a model before a run: every error names the field, the value and the fix. */
export function validateScalingModel(model: ScalingModel): void {
  const where = `${model.name}:`;
  const wholeAtLeast = (field: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) {
      throw new SpikeInputError(`${where} invalid ${field} (${value}). Use a whole number of at least ${min}.`);
    }
  };
  wholeAtLeast('minCapacity', model.minCapacity, 0);
  wholeAtLeast('maxCapacity', model.maxCapacity, 1);
  wholeAtLeast('desiredCapacity', model.desiredCapacity, 0);
  if (model.minCapacity > model.maxCapacity) {
    throw new SpikeInputError(`${where} invalid minCapacity (${model.minCapacity}). It is greater than maxCapacity (${model.maxCapacity}).`);
  }
  if (model.desiredCapacity < model.minCapacity || model.desiredCapacity > model.maxCapacity) {
    throw new SpikeInputError(`${where} invalid desiredCapacity (${model.desiredCapacity}). It must lie between minCapacity (${model.minCapacity}) and maxCapacity (${model.maxCapacity}).`);
  }
  if (!(model.requestsPerSecondPerInstance > 0) || !Number.isFinite(model.requestsPerSecondPerInstance)) {
    throw new SpikeInputError(`${where} invalid requestsPerSecondPerInstance (${model.requestsPerSecondPerInstance}). ` +
      'An instance must serve a positive number of requests per second: measure it (a load test on one instance) and pass it, for example 100.');
  }
  for (const [field, value] of [['bootSeconds', model.bootSeconds], ['warmStartSeconds', model.warmStartSeconds],
    ['healthCheckGraceSeconds', model.healthCheckGraceSeconds], ['cooldownSeconds', model.cooldownSeconds]] as const) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new SpikeInputError(`${where} invalid ${field} (${value}). Use a number of seconds of at least 0.`);
    }
  }
  if (model.warmPool) {
    const pool = model.warmPool;
    if (!Number.isInteger(pool.minSize) || pool.minSize < 0) {
      throw new SpikeInputError(`${where} invalid warmPool.minSize (${pool.minSize}). Use a whole number of at least 0.`);
    }
    if (pool.minSize > model.maxCapacity) {
      throw new SpikeInputError(`${where} invalid warmPool.minSize (${pool.minSize}). It is larger than the group's maxCapacity (${model.maxCapacity}): ` +
        'a warm pool only feeds instances the group may run; lower warmPool.minSize or raise maxCapacity.');
    }
    if (pool.maxGroupPreparedCapacity !== undefined && pool.maxGroupPreparedCapacity < model.minCapacity) {
      throw new SpikeInputError(`${where} invalid warmPool.maxGroupPreparedCapacity (${pool.maxGroupPreparedCapacity}). It is below minCapacity (${model.minCapacity}).`);
    }
  }
  if (model.targetGroup) {
    const tg = model.targetGroup;
    if (!(tg.timeoutSeconds < tg.intervalSeconds)) {
      throw new SpikeInputError(`${where} invalid targetGroup.timeoutSeconds (${tg.timeoutSeconds}). It must be shorter than intervalSeconds (${tg.intervalSeconds}).`);
    }
  }
  if (model.metricPublicationDelaySeconds !== undefined && !(model.metricPublicationDelaySeconds >= 0 && model.metricPublicationDelaySeconds <= 3600)) {
    throw new SpikeInputError(`${where} invalid metricPublicationDelaySeconds (${model.metricPublicationDelaySeconds}). Use 0 to 3600 seconds, for example 120.`);
  }
  if (model.availabilityObjectivePercent !== undefined && !(model.availabilityObjectivePercent > 0 && model.availabilityObjectivePercent < 100)) {
    throw new SpikeInputError(`${where} invalid availabilityObjectivePercent (${model.availabilityObjectivePercent}). Use a percentage above 0 and below 100, for example 99.9.`);
  }
  if (model.baselineRequestsPerSecond !== undefined && !(model.baselineRequestsPerSecond >= 0 && Number.isFinite(model.baselineRequestsPerSecond))) {
    throw new SpikeInputError(`${where} invalid baselineRequestsPerSecond (${model.baselineRequestsPerSecond}). Use a number of requests per second of at least 0.`);
  }
  for (const p of model.targetTracking) {
    if (!(p.targetValue > 0)) throw new SpikeInputError(`${where} invalid targetValue (${p.targetValue}) of policy ${p.name}. Use a positive number.`);
  }
}
