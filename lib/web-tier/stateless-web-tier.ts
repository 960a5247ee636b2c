import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkRange, invalid, isResolved } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { resolveCapacity } from '../fleet/capacity';
import { checkHostHeader, checkPathPattern, checkTimeZone } from '../common/input-checks';
import { cronNeverFiresReason } from '../lock/cron';
import { Fleet } from '../fleet/fleet';
import { TierCapacity, TierInstanceProps } from '../fleet/tier';
import { TierBase } from '../fleet/tier-base';
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
   * @default Duration.seconds(15)
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
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * How many instances.
   *
   * @default { min: 2, max: 10 }
   */
  readonly capacity?: TierCapacity;
  /**
   * How the fleet scales.
   *
   * @default - target tracking on 50% average CPU
   */
  readonly scaling?: WebTierScaling;
  /**
   * Health check of the target group.
   *
   * @default - GET / on the app port, every 15 s
   */
  readonly healthCheck?: WebTierHealthCheck;
  /**
   * Time the load balancer lets in-flight requests finish on an instance being removed.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
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

  constructor(scope: Construct, id: string, props: StatelessWebTierProps) {
    super(scope, id);
    this.appPort = props.appPort ?? 8080;
    checkInteger(this, 'appPort', this.appPort, 1, 65535);
    const capacity = resolveCapacity(this, props.capacity, { min: 2, max: 10 });
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
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: health.gracePeriod,
      }),
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
    });
    if (health.port !== undefined && health.port !== this.appPort) {
      // The target group only opens the traffic port; a separate health port needs its own rule.
      this.loadBalancer.connections.allowTo(this.connections, ec2.Port.tcp(health.port), 'Load balancer health checks');
    }
    this.attachToListener(props.routing);

    fleet.addBootStep({
      name: 'wait-for-http',
      phase: BootPhase.SIGNAL,
      script: bootFile('wait-for-http.sh'),
      environment: {
        HEALTH_URL: `http://127.0.0.1:${health.port ?? this.appPort}${health.path}`,
        READY_TIMEOUT_SECONDS: String(fleet.readinessTimeoutSeconds),
      },
    });

    const scaling = props.scaling ?? {};
    this.autoScalingGroup.scaleOnCpuUtilization('CpuTracking', {
      targetUtilizationPercent: scaling.targetCpuPercent ?? 50,
    });
    if (scaling.requestsPerTargetPerMinute !== undefined) {
      this.autoScalingGroup.scaleOnRequestCount('RequestTracking', {
        targetRequestsPerMinute: scaling.requestsPerTargetPerMinute,
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
}

function validateHealthCheck(scope: Construct, hc: WebTierHealthCheck | undefined): ResolvedHealthCheck {
  const resolved: ResolvedHealthCheck = {
    path: hc?.path ?? '/',
    port: hc?.port,
    healthyHttpCodes: hc?.healthyHttpCodes ?? '200-399',
    healthyThreshold: hc?.healthyThreshold ?? 2,
    unhealthyThreshold: hc?.unhealthyThreshold ?? 3,
    interval: hc?.interval ?? Duration.seconds(15),
    timeout: hc?.timeout ?? Duration.seconds(5),
    gracePeriod: hc?.gracePeriod ?? Duration.minutes(5),
  };
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
