import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { EnvironmentProfile } from '../common/environment-profile';
import { checkInteger, checkOptions, invalid, warn } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { resolveCapacity } from '../fleet/capacity';
import { Fleet } from '../fleet/fleet';
import { TierBase } from '../fleet/tier-base';
import { AccessLogQueries } from '../observability/access-log-queries';
import { WebTierAlarms } from '../observability/web-tier-alarms';
import { WebTierSlo } from '../observability/web-tier-slo';
import { ExpectSpikeOptions, spikeExpectationErrors, validateExpectSpike } from '../spike/expect-spike';
import { DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE } from '../spike/model';
import { DEFAULT_BASELINE_REQUESTS_PER_SECOND } from '../spike/constants';
import { TierLoadBalancer } from './tier-load-balancer';
import { validateHealthCheck } from './web-tier-health';
import { addLivenessReporter } from './web-tier-liveness';
import { PrepareForOptions, StatelessWebTierProps } from './web-tier-props';
import { validateLoadBalancerProps } from './web-tier-routing';
import { addPreparedEvent, addScalingPolicies, validateScaling } from './web-tier-scaling';
import { addSpotBurst, addSpotDrain, addWarmPool } from './web-tier-warm-pool';

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
  /** The group of Spot instances beside the tier's group, when `spotBurst` is set. */
  public readonly spotBurstGroup?: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, props: StatelessWebTierProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { vpc: 'object!', source: 'object!', appPort: 'number', loadBalancer: 'object', routing: 'object', certificate: 'object', protocol: 'string', internetFacing: 'boolean', deletionProtection: 'boolean', capacity: 'object', scaling: 'object', healthCheck: 'object', deregistrationDelay: 'object', warmPool: 'object', alarms: 'object', slo: 'object', vpcSubnets: 'object', environment: 'object', instanceType: 'object', fallbackInstanceTypes: 'array', deployment: 'object', notificationsTopic: 'object', encryptionKey: 'object', rootVolumeSize: 'object', rootDeviceName: 'string', containerHost: 'boolean', logRetention: 'number', expectedBootTime: 'object', expectedWarmStartTime: 'object' });
    this.appPort = props.appPort ?? 8080;
    checkInteger(this, 'CWT201', 'appPort', this.appPort, 1, 65535);
    const profile = EnvironmentProfile.of(this);
    const capacity = resolveCapacity(this, props.capacity, { min: profile.webMinCapacity, max: profile.webMaxCapacity });
    const health = validateHealthCheck(this, props.healthCheck);
    validateScaling(this, props.scaling, capacity);
    validateLoadBalancerProps(this, props);
    if (props.deregistrationDelay && !props.deregistrationDelay.isUnresolved()) {
      checkInteger(this, 'CWT202', 'deregistrationDelay (seconds)', props.deregistrationDelay.toSeconds(), 0, 3600);
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
    fleet._declareForSpike({ requestsPerSecondPerInstance: this.requestsPerSecondPerInstance, availabilityObjectivePercent: props.slo?.availability });
    if (health.port !== undefined && health.port !== this.appPort) {
      // The target group only opens the traffic port; a separate health port needs its own rule.
      this.loadBalancer.connections.allowTo(this.connections, ec2.Port.tcp(health.port), 'Load balancer health checks');
    }
    this.accessLogQueries = this.tierLoadBalancer._addTier(this, this.targetGroup, props.routing);
    fleet.useTargetGroup(this.targetGroup);

    fleet.addBootStep({
      name: 'wait-for-http',
      phase: BootPhase.SIGNAL,
      script: bootFile('wait-for-http.sh'),
      environment: {
        HEALTH_URL: `http://127.0.0.1:${health.port ?? this.appPort}${health.path}`,
      },
    });

    const livenessNotElb = (group: autoscaling.AutoScalingGroup) => acknowledgeFindings(group,
      'Instances are replaced on liveness, not on the load balancer\'s check: each instance reports itself unhealthy to Auto Scaling after 3 failed liveness checks ' +
      '(and EC2 status checks replace dead hosts). The load balancer\'s check is readiness, which fails under overload; with ELB health checks overload would ' +
      'replace instances that are alive and shrink the fleet during a spike (the death spiral the spike simulator reproduces). ' +
      'healthCheck.loadBalancerReplacesInstances turns ELB health checks on.',
      ...compliancePacks('AutoScalingGroupELBHealthCheckRequired'), 'CT.AUTOSCALING.PR.4');
    if (!health.loadBalancerReplacesInstances) {
      addLivenessReporter(fleet, health, this.appPort);
      livenessNotElb(this.autoScalingGroup);
    }
    this.minCapacity = capacity.min;
    this.maxCapacity = capacity.max;
    if (capacity.baseline !== undefined) addSpotDrain(fleet, this.targetGroup.targetGroupArn);
    if (props.warmPool) addWarmPool(this, fleet, props.warmPool, `http://127.0.0.1:${health.port ?? this.appPort}${health.path}`, capacity);
    if (props.spotBurst) {
      this.spotBurstGroup = addSpotBurst(this, fleet, props.spotBurst, this.targetGroup, props.scaling ?? {}, capacity.baseline !== undefined);
      // Its instances run the same liveness reporter (same launch template and boot).
      if (!health.loadBalancerReplacesInstances) livenessNotElb(this.spotBurstGroup);
    }

    addScalingPolicies(this, props.scaling ?? {});
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
    checkOptions(this, 'expectSpike', { options }, { options: 'object!' });
    validateExpectSpike(this, options);
    const group = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    const perInstance = options.requestsPerSecondPerInstance ?? this.requestsPerSecondPerInstance ?? DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE;
    // The simulator's default baseline is absolute, never derived from the group's size.
    const baseline = options.baselineRequestsPerSecond ?? DEFAULT_BASELINE_REQUESTS_PER_SECOND;
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
    checkOptions(this, 'prepareFor', { name, options }, { name: 'string!', options: 'object!' });
    checkOptions(this, `prepareFor(${name})`, options, { at: 'object!', capacity: 'number!', duration: 'object!', leadTime: 'object' });
    if (!/^[A-Za-z0-9-]{1,64}$/.test(name)) invalid(this, 'CWT203', 'prepareFor(name)', name, 'Use letters, digits and dashes (1-64), for example \'tv-ad\'.');
    if (this.preparedEvents.has(name)) invalid(this, 'CWT204', 'prepareFor(name)', name, 'Each prepared event needs a unique name.');
    this.preparedEvents.add(name);
    addPreparedEvent(this, name, options, { min: this.minCapacity, max: this.maxCapacity });
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
}
