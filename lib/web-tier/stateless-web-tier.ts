import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { checkHostHeader, checkPathPattern, checkTimeZone } from '../common/input-checks';
import { checkInteger, checkRange, invalid, isResolved, warn } from '../common/validation';
import { EnvironmentProfile } from '../common/environment-profile';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { resolveCapacity } from '../fleet/capacity';
import { FLEET_TAG, Fleet } from '../fleet/fleet';
import { cronNeverFiresReason } from '../common/cron';
import { TierCapacity, TierInstanceProps } from '../fleet/tier';
import { TierBase } from '../fleet/tier-base';
import { groupCpuMetric } from '../observability/metrics';
import { ExpectSpikeOptions, spikeExpectationErrors, validateExpectSpike } from '../spike/expect-spike';
import { DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE } from '../spike/model';
import { AccessLogQueries } from '../observability/access-log-queries';
import { WebTierAlarmOptions, WebTierAlarms } from '../observability/web-tier-alarms';
import { ServiceLevelObjective, WebTierSlo } from '../observability/web-tier-slo';
import { TierLoadBalancer } from './tier-load-balancer';

/**
 * The target group health check of a web tier; instances count as ready for a deployment only
 * once they answer it too.
 */
export interface WebTierHealthCheck {
  /**
   * Path requested by the load balancer. Must start with '/'.
   *
   * @default '/'
   */
  readonly path?: string;
  /**
   * Port requested.
   *
   * @default - the app port
   */
  readonly port?: number;
  /**
   * HTTP codes that count as healthy.
   *
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;
  /**
   * Consecutive successes before an instance receives traffic (2–10).
   *
   * @default 2
   */
  readonly healthyThreshold?: number;
  /**
   * Consecutive failures before an instance stops receiving traffic (2–10).
   *
   * @default 3
   */
  readonly unhealthyThreshold?: number;
  /**
   * Time between checks (5–300 seconds).
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;
  /**
   * Time to wait for an answer (2–120 seconds, less than the interval).
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Time after launch during which failed checks do not make Auto Scaling replace an instance.
   *
   * @default Duration.minutes(5)
   */
  readonly gracePeriod?: Duration;
  /**
   * Liveness: the path, on the app port, that says the process is alive (no database or other
   * dependency call). After 3 failures in a row, 30 s apart, with 20 s to answer each, the
   * instance reports itself unhealthy and Auto Scaling replaces it. The load balancer's check
   * (`path`) is readiness only: an overloaded instance that fails it stops receiving traffic but
   * is not replaced.
   *
   * @default - alive while the app port accepts TCP connections
   */
  readonly livenessPath?: string;
  /**
   * Let the load balancer's health check replace instances (the group's ELB health check), as
   * plain Auto Scaling groups do. Under overload it replaces instances that were only busy,
   * and capacity drops when it is needed most (the spike simulator shows the death spiral).
   *
   * @default false
   */
  readonly loadBalancerReplacesInstances?: boolean;
  /**
   * Below this percentage of healthy targets the load balancer routes to every target (fails
   * open) rather than crushing the few left: under overload most targets fail their check at once.
   *
   * @default 60
   */
  readonly failOpenBelowHealthyPercent?: number;
  /**
   * Slow start: a new target's share of requests grows linearly over this time (30 s to 15
   * minutes), for apps with cold caches or JIT warm-up. It delays relief during a spike.
   *
   * @default - off
   */
  readonly slowStart?: Duration;
}

/**
 * A scheduled change of capacity (for example before a known daily peak).
 */
export interface ScheduledCapacity {
  /** A name for the action, unique within the tier. */
  readonly name: string;
  /** When: `autoscaling.Schedule.cron({ hour: '7', minute: '45' })`. */
  readonly schedule: autoscaling.Schedule;
  /** New minimum. @default - unchanged */
  readonly min?: number;
  /** New maximum. @default - unchanged */
  readonly max?: number;
  /** New desired capacity. @default - unchanged */
  readonly desired?: number;
  /** IANA time zone of the schedule. @default - UTC */
  readonly timeZone?: string;
}

/**
 * How a web tier scales.
 */
export interface WebTierScaling {
  /**
   * Average CPU (percent, 0 < x ≤ 100) that target tracking keeps the fleet at.
   *
   * @default 50
   */
  readonly targetCpuPercent?: number;
  /**
   * Requests per minute per instance that target tracking keeps the fleet at, in addition to CPU.
   *
   * @default - no request-count tracking
   */
  readonly requestsPerTargetPerMinute?: number;
  /**
   * Scheduled capacity changes.
   *
   * @default - none
   */
  readonly scheduled?: ScheduledCapacity[];
  /**
   * Requests per second one instance serves at full load, answers still in time (measure it
   * with a load test of one instance). Turns on request-count scaling: target tracking at 70 %
   * of it (unless `requestsPerTargetPerMinute` is set) and burst steps on request count per
   * target, which see the whole spike where CPU saturates at 100 %. `expectSpike` uses it too.
   *
   * @default - scaling follows CPU only
   */
  readonly requestsPerSecondPerInstance?: number;
  /**
   * Burst steps next to target tracking: step scaling on one-minute average CPU (one datapoint
   * at 70 % or more: +100 %, at 85 %: +200 %, at 95 %: +700 %), and on request count per target
   * when `requestsPerSecondPerInstance` is set (+100 % to +1500 % by how far past capacity).
   * Target tracking alone waits for three datapoints and at most doubles a saturated fleet per
   * cycle.
   *
   * @default true
   */
  readonly burstSteps?: boolean;
  /**
   * Predictive scaling on CPU (forecast from the last 14 days, capacity launched 10 minutes
   * ahead): for daily or weekly patterns, not for a surprise.
   *
   * @default false
   */
  readonly predictive?: boolean;
}

/**
 * Which requests of a shared load balancer go to this tier.
 */
export interface WebTierRouting {
  /**
   * Host names (for example 'api.example.com') this tier answers.
   *
   * @default - any host
   */
  readonly hostHeaders?: string[];
  /**
   * Path patterns (for example '/api/*') this tier answers.
   *
   * @default - any path
   */
  readonly pathPatterns?: string[];
  /** Rule priority on the listener (1–50000, unique per listener; lower wins). */
  readonly priority: number;
}

/**
 * Pre-initialized instances that wait, booted, for a scale-out.
 */
export interface WebTierWarmPool {
  /**
   * Fewest instances kept in the pool.
   *
   * @default 0 (the pool holds capacity.max minus the group's desired capacity)
   */
  readonly minSize?: number;
  /**
   * Most instances in the group and the pool together.
   *
   * @default - capacity.max
   */
  readonly maxPreparedCapacity?: number;
  /**
   * State of the pooled instances: stopped (pay for volumes only; about 40 s to serve), running
   * (pay for the instances; serve at once) or hibernated.
   *
   * @default autoscaling.PoolState.STOPPED
   */
  readonly state?: autoscaling.PoolState;
}

/**
 * Capacity for a known event (`tier.prepareFor`).
 */
export interface PrepareForOptions {
  /** When the event starts (the TV slot). */
  readonly at: Date;
  /** Instances in service when it starts; the group's minimum until it ends. */
  readonly capacity: number;
  /** How long the event lasts; afterwards the minimum returns to capacity.min and scaling shrinks the fleet. */
  readonly duration: Duration;
  /**
   * How long before `at` the capacity is requested: boot time plus a margin.
   *
   * @default Duration.minutes(15)
   */
  readonly leadTime?: Duration;
}

/**
 * Props of a {@link StatelessWebTier}.
 */
export interface StatelessWebTierProps extends TierInstanceProps {
  /**
   * Port the app listens on.
   *
   * @default 8080
   */
  readonly appPort?: number;
  /**
   * Share a load balancer with other tiers. Without it the tier creates its own from
   * `certificate`, `protocol`, `internetFacing` and `deletionProtection`.
   *
   * @default - a load balancer of this tier's own
   */
  readonly loadBalancer?: TierLoadBalancer;
  /**
   * Which requests of a shared load balancer come to this tier.
   *
   * @default - every request that no other tier's rule matches
   */
  readonly routing?: WebTierRouting;
  /**
   * Certificate of the tier's own HTTPS load balancer.
   *
   * @default - none; required unless protocol is HTTP or loadBalancer is given
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Protocol of the tier's own load balancer.
   *
   * @default elbv2.ApplicationProtocol.HTTPS
   */
  readonly protocol?: elbv2.ApplicationProtocol;
  /**
   * Whether the tier's own load balancer is internet-facing.
   *
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * Deletion protection of the tier's own load balancer.
   *
   * @default - the environment profile's deletionProtection: true, except in development and staging
   */
  readonly deletionProtection?: boolean;
  /**
   * How many instances. The default maximum leaves room for a 15x spike on the two-instance
   * minimum (`npm run bench:spike`).
   *
   * @default - { min: 2, max: 20 }, or the environment profile's webMinCapacity and webMaxCapacity
   */
  readonly capacity?: TierCapacity;
  /**
   * How the fleet scales.
   *
   * @default - target tracking on 50% average CPU, with burst steps on one-minute CPU
   */
  readonly scaling?: WebTierScaling;
  /**
   * Health checks: readiness by the load balancer, liveness on the instance.
   *
   * @default - readiness GET / on the app port every 10 s; liveness: the app port accepts connections
   */
  readonly healthCheck?: WebTierHealthCheck;
  /**
   * Time the load balancer lets in-flight requests finish on an instance being removed.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * A warm pool: instances booted ahead (packages, code, build) that join in seconds. They do
   * not signal deployments or take traffic while pooled; when one leaves the pool it is
   * abandoned if a deployment happened since it was built, and a git source pulls and builds
   * again before it completes its launch.
   *
   * @default - no warm pool
   */
  readonly warmPool?: WebTierWarmPool;
  /**
   * Thresholds of the tier's alarms (5xx, latency, health, capacity, CPU credits, boot failures),
   * which notify the stack's `TierNotifications`.
   *
   * @default - every alarm on, with the defaults of WebTierAlarmOptions
   */
  readonly alarms?: WebTierAlarmOptions;
  /**
   * A service level objective: multi-window, multi-burn-rate alerts and the error budget left on the dashboard.
   *
   * @default - no SLO alerts
   */
  readonly slo?: ServiceLevelObjective;
}

/**
 * A stateless web tier: an Auto Scaling group of identical instances behind an Application Load
 * Balancer, scaled on CPU (and optionally request count), replaced when unhealthy, and deployed
 * by rolling updates that count an instance only once its app answers the health check.
 */
export class StatelessWebTier extends TierBase {
  /** The tier's load balancer construct (its own, or the shared one it was given). */
  public readonly tierLoadBalancer: TierLoadBalancer;
  /** The Application Load Balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener the tier is reached through. */
  public readonly listener: elbv2.ApplicationListener;
  /** The target group of the tier's instances. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The port the app listens on. */
  public readonly appPort: number;
  /**
   * Requests per second one instance serves, when `scaling.requestsPerSecondPerInstance` declares it.
   *
   * @default - not declared
   */
  public readonly requestsPerSecondPerInstance?: number;
  private readonly minCapacity: number;
  private readonly maxCapacity: number;
  private readonly preparedEvents = new Set<string>();
  /** The tier's alarms and dashboard section. */
  public readonly alarms: WebTierAlarms;
  /** Saved Logs Insights queries over the tier's requests in the access logs, unless the load balancer's access logs are not in CloudWatch Logs. */
  public readonly accessLogQueries?: AccessLogQueries;
  /** The SLO burn-rate alerts, when `slo` is set. */
  public readonly slo?: WebTierSlo;

  constructor(scope: Construct, id: string, props: StatelessWebTierProps) {
    super(scope, id);
    this.appPort = props.appPort ?? 8080;
    checkInteger(this, 'appPort', this.appPort, 1, 65535);
    const profile = EnvironmentProfile.of(this);
    const capacity = resolveCapacity(this, props.capacity, { min: profile.webMinCapacity, max: profile.webMaxCapacity });
    const health = validateHealthCheck(this, props.healthCheck);
    validateScaling(this, props.scaling, capacity);
    validateLoadBalancerProps(this, props);
    if (props.deregistrationDelay && !props.deregistrationDelay.isUnresolved()) {
      checkInteger(this, 'deregistrationDelay (seconds)', props.deregistrationDelay.toSeconds(), 0, 3600);
    }

    this.tierLoadBalancer = props.loadBalancer ?? new TierLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      certificate: props.certificate,
      protocol: props.protocol,
      internetFacing: props.internetFacing,
      deletionProtection: props.deletionProtection,
    });
    this.loadBalancer = this.tierLoadBalancer.loadBalancer;
    this.listener = this.tierLoadBalancer.listener;

    const fleet = this._initFleet(new Fleet(this, 'Fleet', {
      ...props,
      appPort: this.appPort,
      capacity,
      // Readiness (the load balancer) decides traffic; only liveness (reported by the instance) or
      // EC2 status replaces an instance, so overload does not shrink the fleet.
      healthChecks: health.loadBalancerReplacesInstances
        ? autoscaling.HealthChecks.withAdditionalChecks({ additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB], gracePeriod: health.gracePeriod })
        : autoscaling.HealthChecks.ec2({ gracePeriod: health.gracePeriod }),
      singleton: false,
    }));

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: this.appPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      targets: [this.autoScalingGroup],
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      healthCheck: {
        enabled: true,
        path: health.path,
        port: health.port === undefined ? 'traffic-port' : String(health.port),
        healthyHttpCodes: health.healthyHttpCodes,
        healthyThresholdCount: health.healthyThreshold,
        unhealthyThresholdCount: health.unhealthyThreshold,
        interval: health.interval,
        timeout: health.timeout,
      },
      slowStart: health.slowStart,
    });
    this.targetGroup.setAttribute('target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
      health.failOpenBelowHealthyPercent === 0 ? 'off' : String(health.failOpenBelowHealthyPercent));
    this.requestsPerSecondPerInstance = props.scaling?.requestsPerSecondPerInstance;
    if (health.port !== undefined && health.port !== this.appPort) {
      // The target group only opens the traffic port; a separate health port needs its own rule.
      this.loadBalancer.connections.allowTo(this.connections, ec2.Port.tcp(health.port), 'Load balancer health checks');
    }
    this.attachToListener(props.routing);
    this.accessLogQueries = this.tierLoadBalancer._addTierAccessLogQueries(this, this.targetGroup);
    fleet.useTargetGroup(this.targetGroup);

    fleet.addBootStep({
      name: 'wait-for-http',
      phase: BootPhase.SIGNAL,
      script: bootFile('wait-for-http.sh'),
      environment: {
        HEALTH_URL: `http://127.0.0.1:${health.port ?? this.appPort}${health.path}`,
      },
    });

    if (!health.loadBalancerReplacesInstances) {
      this.addLivenessReporter(fleet, health);
      acknowledgeFindings(this.autoScalingGroup,
        'Instances are replaced on liveness, not on the load balancer\'s check: each instance reports itself unhealthy to Auto Scaling after 3 failed liveness checks ' +
        '(and EC2 status checks replace dead hosts). The load balancer\'s check is readiness, which fails under overload; with ELB health checks overload would ' +
        'replace instances that are alive and shrink the fleet during a spike (the death spiral the spike simulator reproduces). ' +
        'healthCheck.loadBalancerReplacesInstances turns ELB health checks on.',
        ...compliancePacks('AutoScalingGroupELBHealthCheckRequired'), 'CT.AUTOSCALING.PR.4');
    }
    this.minCapacity = capacity.min;
    this.maxCapacity = capacity.max;
    if (capacity.baseline !== undefined) this.addSpotDrain(fleet);
    if (props.warmPool) this.addWarmPool(fleet, props.warmPool, `http://127.0.0.1:${health.port ?? this.appPort}${health.path}`);

    const scaling = props.scaling ?? {};
    this.autoScalingGroup.scaleOnCpuUtilization('CpuTracking', {
      targetUtilizationPercent: scaling.targetCpuPercent ?? 50,
    });
    const perInstance = scaling.requestsPerSecondPerInstance;
    const requestTarget = scaling.requestsPerTargetPerMinute ?? (perInstance === undefined ? undefined : Math.round(perInstance * 60 * 0.7));
    if (requestTarget !== undefined) {
      const policy = this.autoScalingGroup.scaleOnRequestCount('RequestTracking', {
        targetRequestsPerMinute: requestTarget,
      });
      acknowledgeFindings(policy,
        'aws-cdk-lib\'s scaleOnRequestCount makes the policy depend on the listener explicitly (so the target group is attached first) as well as through the ' +
        'resource label\'s references: the DependsOn is redundant, not wrong.',
        'W3005');
    }
    if (scaling.burstSteps ?? true) addBurstSteps(this, perInstance);
    if (scaling.predictive) {
      // aws-cdk-lib has no L2 for predictive scaling.
      new autoscaling.CfnScalingPolicy(this, 'PredictiveScaling', {
        autoScalingGroupName: this.autoScalingGroup.autoScalingGroupName,
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
      this.autoScalingGroup.scaleOnSchedule(action.name, {
        schedule: action.schedule,
        minCapacity: action.min,
        maxCapacity: action.max,
        desiredCapacity: action.desired,
        timeZone: action.timeZone,
      });
    }
    this.alarms = new WebTierAlarms(this, 'Alarms', {
      loadBalancerScope: this.tierLoadBalancer, loadBalancer: this.loadBalancer, targetGroup: this.targetGroup,
      autoScalingGroup: this.autoScalingGroup, logGroup: this.logGroup, minCapacity: capacity.min, maxCapacity: capacity.max, instanceType: props.instanceType, options: props.alarms,
      accessLogQueries: this.accessLogQueries,
    });
    if (props.slo) this.slo = new WebTierSlo(this, 'Slo', { objective: props.slo, targetGroup: this.targetGroup, ownLoadBalancer: props.loadBalancer ? undefined : this.loadBalancer });
  }

  /**
   * Fails synthesis unless the spike simulator shows the tier absorbing the spike in time: its
   * real scaling configuration (policies, alarms, warm pool, schedules, health checks) against
   * the demand profile. Checked after every other call on the tier.
   *
   * @exampleMetadata fixture=snippet
   * @example
   * web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(3), requestsPerSecondPerInstance: 120 });
   */
  public expectSpike(options: ExpectSpikeOptions): void {
    validateExpectSpike(this, options);
    const group = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    const min = Number(group.minSize);
    const perInstance = options.requestsPerSecondPerInstance ?? this.requestsPerSecondPerInstance ?? DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE;
    const baseline = options.baselineRequestsPerSecond ?? min * perInstance / 2;
    const needed = Math.ceil(options.factor * baseline / perInstance);
    if (!Token.isUnresolved(group.maxSize) && Number(group.maxSize) < needed) {
      warn(this, 'spikeAboveMaxCapacity', `capacity.max (${group.maxSize}) is below the ${needed} instances that a ${options.factor}x spike needs ` +
        `(baseline ${baseline} requests/s, ${perInstance} requests/s per instance): raise capacity.max to at least ${needed}.`);
    }
    this.node.addValidation({ validate: () => spikeExpectationErrors(this, options, this.requestsPerSecondPerInstance) });
  }

  /**
   * Scheduled pre-scaling for a known event (the TV slot is on the calendar): `capacity`
   * instances are requested `leadTime` before `at` and kept as the minimum until `at + duration`;
   * then the minimum returns to `capacity.min` and scaling shrinks the fleet as demand falls.
   *
   * @exampleMetadata fixture=snippet
   * @example
   * web.prepareFor('tv-ad', { at: new Date('2026-03-01T20:00:00Z'), capacity: 20, duration: Duration.hours(1) });
   */
  public prepareFor(name: string, options: PrepareForOptions): void {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(name)) invalid(this, 'prepareFor(name)', name, 'Use letters, digits and dashes (1-64), for example \'tv-ad\'.');
    if (this.preparedEvents.has(name)) invalid(this, 'prepareFor(name)', name, 'Each prepared event needs a unique name.');
    this.preparedEvents.add(name);
    const at = options.at.getTime();
    if (!Number.isFinite(at)) invalid(this, `prepareFor(${name}).at`, String(options.at), 'Use a valid Date, for example new Date(\'2026-03-01T20:00:00Z\').');
    checkInteger(this, `prepareFor(${name}).capacity`, options.capacity, 1, 10_000);
    if (isResolved(this.maxCapacity) && options.capacity > this.maxCapacity) {
      invalid(this, `prepareFor(${name}).capacity`, options.capacity, `It is above capacity.max (${this.maxCapacity}): raise capacity.max or prepare fewer instances.`);
    }
    const lead = options.leadTime ?? Duration.minutes(15);
    if (options.duration.toSeconds() <= 0) invalid(this, `prepareFor(${name}).duration`, options.duration.toHumanString(), 'Use a positive duration, for example Duration.hours(1).');
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // One-time actions (StartTime, no recurrence): the L2 ScheduledAction always recurs.
    new autoscaling.CfnScheduledAction(this, `Prepare-${name}`, {
      autoScalingGroupName: this.autoScalingGroup.autoScalingGroupName,
      startTime: stamp(at - lead.toMilliseconds()),
      minSize: options.capacity,
      desiredCapacity: options.capacity,
    });
    new autoscaling.CfnScheduledAction(this, `Release-${name}`, {
      autoScalingGroupName: this.autoScalingGroup.autoScalingGroupName,
      startTime: stamp(at + options.duration.toMilliseconds()),
      minSize: this.minCapacity,
    });
  }

  /** Spot above the baseline: an interruption notice takes the instance out of the target group. */
  private addSpotDrain(fleet: Fleet): void {
    fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'LeaveTargetGroupOnSpotInterruption',
      actions: ['elasticloadbalancing:DeregisterTargets'],
      resources: [this.targetGroup.targetGroupArn],
    }));
    fleet.addBootStep({ name: 'spot-drain', phase: BootPhase.START, script: bootFile('spot-drain.sh'), environment: { TARGET_GROUP_ARN: this.targetGroup.targetGroupArn } });
  }

  private addWarmPool(fleet: Fleet, pool: WebTierWarmPool, healthUrl: string): void {
    checkInteger(this, 'warmPool.minSize', pool.minSize, 0, 10_000);
    if (pool.minSize !== undefined && isResolved(this.maxCapacity) && pool.minSize > this.maxCapacity) {
      invalid(this, 'warmPool.minSize', pool.minSize, `It is larger than capacity.max (${this.maxCapacity}): a warm pool only feeds instances the group may run; lower warmPool.minSize or raise capacity.max.`);
    }
    checkInteger(this, 'warmPool.maxPreparedCapacity', pool.maxPreparedCapacity, 1, 10_000);
    if (pool.maxPreparedCapacity !== undefined && isResolved(this.minCapacity) && pool.maxPreparedCapacity < this.minCapacity) {
      invalid(this, 'warmPool.maxPreparedCapacity', pool.maxPreparedCapacity, `It is below capacity.min (${this.minCapacity}).`);
    }
    this.autoScalingGroup.addWarmPool({
      minSize: pool.minSize,
      maxGroupPreparedCapacity: pool.maxPreparedCapacity,
      poolState: pool.state ?? autoscaling.PoolState.STOPPED,
    });
    fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CompareLaunchTemplateVersion',
      actions: ['autoscaling:DescribeAutoScalingGroups'],
      resources: ['*'],
    }));
    fleet.addBootStep({ name: 'warm-pool', phase: BootPhase.PREPARE, script: bootFile('warm-pool.sh'), environment: { HEALTH_URL: healthUrl } });
  }

  /**
   * Liveness on the instance: the health reporter (also used by SingletonWorker) reports the
   * instance unhealthy to Auto Scaling when the app process stops answering, busy or not.
   */
  private addLivenessReporter(fleet: Fleet, health: ResolvedHealthCheck): void {
    const port = health.port ?? this.appPort;
    const command = health.livenessPath === undefined
      ? `bash -c '</dev/tcp/127.0.0.1/${port}'`
      : `curl -fsS -o /dev/null --max-time 20 http://127.0.0.1:${port}${health.livenessPath}`;
    fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReportOwnLiveness',
      actions: ['autoscaling:SetInstanceHealth'],
      resources: ['*'],
      conditions: { StringEquals: { [`autoscaling:ResourceTag/${FLEET_TAG}`]: fleet.node.addr } },
    }));
    // After wait-for-http (same phase, added later): the reporter starts once the app answered.
    fleet.addBootStep({
      name: 'liveness-reporter',
      phase: BootPhase.SIGNAL,
      script: bootFile('health-reporter.sh'),
      environment: {
        HEALTH_COMMAND: command,
        HEALTH_TIMEOUT_SECONDS: '20',
        HEALTH_INTERVAL_SECONDS: '30',
        HEALTH_FAILURE_THRESHOLD: '3',
        // After a reboot the app gets the same grace as a new instance.
        HEALTH_BOOT_GRACE_SECONDS: String(health.gracePeriod.toSeconds()),
      },
    });
  }

  /** Requests that reached the tier's instances. */
  public metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.requestCount(props);
  }

  /** 5xx answers from the tier's instances. */
  public metricHttp5xxCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, props);
  }

  /** Time from the load balancer sending a request to the tier until the answer starts. */
  public metricTargetResponseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.targetResponseTime(props);
  }

  private attachToListener(routing: WebTierRouting | undefined): void {
    if (!routing) {
      this.tierLoadBalancer._setDefaultTier(this, this.targetGroup);
      return;
    }
    this.tierLoadBalancer._registerPriority(this, routing.priority);
    const conditions: elbv2.ListenerCondition[] = [];
    if (routing.hostHeaders?.length) conditions.push(elbv2.ListenerCondition.hostHeaders(routing.hostHeaders));
    if (routing.pathPatterns?.length) conditions.push(elbv2.ListenerCondition.pathPatterns(routing.pathPatterns));
    new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
      listener: this.listener,
      priority: routing.priority,
      conditions,
      targetGroups: [this.targetGroup],
    });
  }
}

interface ResolvedHealthCheck {
  readonly path: string;
  readonly port?: number;
  readonly healthyHttpCodes: string;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly interval: Duration;
  readonly timeout: Duration;
  readonly gracePeriod: Duration;
  readonly livenessPath?: string;
  readonly loadBalancerReplacesInstances: boolean;
  readonly failOpenBelowHealthyPercent: number;
  readonly slowStart?: Duration;
}

function validateHealthCheck(scope: Construct, hc: WebTierHealthCheck | undefined): ResolvedHealthCheck {
  const resolved: ResolvedHealthCheck = {
    path: hc?.path ?? '/',
    port: hc?.port,
    healthyHttpCodes: hc?.healthyHttpCodes ?? '200-399',
    healthyThreshold: hc?.healthyThreshold ?? 2,
    unhealthyThreshold: hc?.unhealthyThreshold ?? 3,
    interval: hc?.interval ?? Duration.seconds(10),
    timeout: hc?.timeout ?? Duration.seconds(5),
    gracePeriod: hc?.gracePeriod ?? Duration.minutes(5),
    livenessPath: hc?.livenessPath,
    loadBalancerReplacesInstances: hc?.loadBalancerReplacesInstances ?? false,
    failOpenBelowHealthyPercent: hc?.failOpenBelowHealthyPercent ?? 60,
    slowStart: hc?.slowStart,
  };
  if (resolved.livenessPath !== undefined && !Token.isUnresolved(resolved.livenessPath) && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(resolved.livenessPath)) {
    invalid(scope, 'healthCheck.livenessPath', resolved.livenessPath, "Use a URL path that starts with '/' (letters, digits and URL punctuation), for example '/livez'.");
  }
  checkRange(scope, 'healthCheck.failOpenBelowHealthyPercent', resolved.failOpenBelowHealthyPercent, 0, 100,
    'Use a percentage from 1 to 100, or 0 to fail open only when no target is healthy.');
  if (resolved.slowStart && !resolved.slowStart.isUnresolved()) {
    checkInteger(scope, 'healthCheck.slowStart (seconds)', resolved.slowStart.toSeconds(), 30, 900);
  }
  if (!Token.isUnresolved(resolved.path) && !resolved.path.startsWith('/')) {
    invalid(scope, 'healthCheck.path', resolved.path, `It must start with '/': use '/${resolved.path}'.`);
  }
  checkInteger(scope, 'healthCheck.port', resolved.port, 1, 65535);
  if (!Token.isUnresolved(resolved.healthyHttpCodes) && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(resolved.healthyHttpCodes)) {
    invalid(scope, 'healthCheck.healthyHttpCodes', resolved.healthyHttpCodes, "Use codes and ranges such as '200', '200,302' or '200-399'.");
  }
  checkInteger(scope, 'healthCheck.healthyThreshold', resolved.healthyThreshold, 2, 10);
  checkInteger(scope, 'healthCheck.unhealthyThreshold', resolved.unhealthyThreshold, 2, 10);
  const interval = resolved.interval.isUnresolved() ? undefined : resolved.interval.toSeconds();
  const timeout = resolved.timeout.isUnresolved() ? undefined : resolved.timeout.toSeconds();
  checkInteger(scope, 'healthCheck.interval (seconds)', interval, 5, 300);
  checkInteger(scope, 'healthCheck.timeout (seconds)', timeout, 2, 120);
  if (interval !== undefined && timeout !== undefined && timeout >= interval) {
    invalid(scope, 'healthCheck.timeout', `${timeout}s`, `It must be shorter than healthCheck.interval (${interval}s).`);
  }
  if (!resolved.gracePeriod.isUnresolved()) {
    checkInteger(scope, 'healthCheck.gracePeriod (seconds)', resolved.gracePeriod.toSeconds(), 0, 7200);
  }
  return resolved;
}

function validateScaling(scope: Construct, scaling: WebTierScaling | undefined, capacity: { min: number; max: number }): void {
  if (!scaling) return;
  const cpu = scaling.targetCpuPercent;
  if (cpu !== undefined && !Token.isUnresolved(cpu) && !(cpu > 0 && cpu <= 100)) {
    invalid(scope, 'scaling.targetCpuPercent', cpu, 'Use a percentage above 0 and at most 100, for example 50.');
  }
  checkRange(scope, 'scaling.requestsPerTargetPerMinute', scaling.requestsPerTargetPerMinute, 1, 1_000_000, 'Use a positive number of requests per minute per instance, for example 1000.');
  checkRange(scope, 'scaling.requestsPerSecondPerInstance', scaling.requestsPerSecondPerInstance, 0.01, 1_000_000,
    'Use the requests per second one instance serves at full load (measure one instance under load), for example 100.');
  const names = new Set<string>();
  for (const action of scaling.scheduled ?? []) {
    if (names.has(action.name)) invalid(scope, 'scaling.scheduled[].name', action.name, 'Each scheduled action needs a unique name.');
    names.add(action.name);
    if (action.min === undefined && action.max === undefined && action.desired === undefined) {
      invalid(scope, `scaling.scheduled[${action.name}]`, 'no capacity', 'Set at least one of min, max or desired.');
    }
    if (action.min !== undefined && action.max !== undefined && action.min > action.max) {
      invalid(scope, `scaling.scheduled[${action.name}].min`, action.min, `It is greater than max (${action.max}).`);
    }
    // What the group will be asked for once the action runs (unset values stay as they are).
    const min = action.min ?? capacity.min;
    const max = action.max ?? capacity.max;
    if (isResolved(min) && isResolved(max) && min > max) {
      invalid(scope, `scaling.scheduled[${action.name}]`, `min ${min}, max ${max}`,
        `With ${action.min === undefined ? `capacity.min (${min})` : `min ${min}`} and ${action.max === undefined ? `capacity.max (${max})` : `max ${max}`} Auto Scaling rejects the action: set both min and max in the action.`);
    }
    if (action.desired !== undefined && isResolved(action.desired) && isResolved(min) && isResolved(max) && (action.desired < min || action.desired > max)) {
      invalid(scope, `scaling.scheduled[${action.name}].desired`, action.desired,
        `It must lie between the group's min (${min}) and max (${max}) when the action runs: set min or max in the action too.`);
    }
    checkTimeZone(scope, `scaling.scheduled[${action.name}].timeZone`, action.timeZone);
    const never = Token.isUnresolved(action.schedule.expressionString) ? undefined : cronNeverFiresReason(action.schedule.expressionString);
    if (never) {
      invalid(scope, `scaling.scheduled[${action.name}].schedule`, action.schedule.expressionString, `The schedule never fires: ${never}.`);
    }
  }
}

function validateLoadBalancerProps(scope: Construct, props: StatelessWebTierProps): void {
  if (props.loadBalancer) {
    const own: Array<keyof StatelessWebTierProps> = ['certificate', 'protocol', 'internetFacing', 'deletionProtection'];
    for (const key of own) {
      if (props[key] !== undefined) {
        invalid(scope, key, key === 'certificate' ? 'a certificate' : props[key],
          `It configures the tier's own load balancer, but loadBalancer (${props.loadBalancer.node.path}) is shared: set it on that TierLoadBalancer instead.`);
      }
    }
  } else if (props.routing) {
    invalid(scope, 'routing', `priority ${props.routing.priority}`, 'Routing rules apply only to a shared load balancer: pass loadBalancer, or remove routing.');
  }
  if (props.routing) {
    if (!props.routing.hostHeaders?.length && !props.routing.pathPatterns?.length) {
      invalid(scope, 'routing', 'no hostHeaders and no pathPatterns', 'Give at least one host header or path pattern, or remove routing to receive every unmatched request.');
    }
    checkInteger(scope, 'routing.priority', props.routing.priority, 1, 50000);
    for (const host of props.routing.hostHeaders ?? []) checkHostHeader(scope, 'routing.hostHeaders[]', host);
    for (const pattern of props.routing.pathPatterns ?? []) checkPathPattern(scope, 'routing.pathPatterns[]', pattern);
  }
}

/**
 * Step scaling next to target tracking: one datapoint of one minute is enough, and the steps are
 * large, because a saturated CPU hides how far demand went past capacity. Built from
 * StepScalingAction and an alarm rather than scaleOnMetric, which passes a deprecated cooldown and
 * makes aws-cdk-lib print a deprecation warning at every synth.
 */
function addBurstSteps(tier: StatelessWebTier, requestsPerSecondPerInstance: number | undefined): void {
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

function burstPolicy(tier: StatelessWebTier, id: string, metric: cloudwatch.IMetric, threshold: number, steps: autoscaling.AdjustmentTier[]): void {
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
