import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration } from 'aws-cdk-lib';
import { TierCapacity, TierInstanceProps } from '../fleet/tier';
import { WebTierAlarmOptions } from '../observability/web-tier-alarms';
import { ServiceLevelObjective } from '../observability/web-tier-slo';
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
   * Fewest instances kept in the pool (its MinSize), also while the group runs more instances.
   *
   * @default - capacity.min (a pool as large as the starting fleet)
   */
  readonly minSize?: number;
  /**
   * Most instances in the group and the pool together (MaxGroupPreparedCapacity): the pool holds
   * this less the group's desired capacity, and never fewer than `minSize`. Always written to the
   * template: without it Auto Scaling would keep capacity.max less the desired capacity in the pool.
   *
   * @default - capacity.min + minSize (at rest the pool holds minSize)
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
 * Spot capacity beside the tier's group: a second group of Spot instances only, from the same
 * launch template and behind the same target group, that scales on the same signals. Cheap burst
 * capacity for a tier whose own group stays On-Demand (for example with a warm pool, which cannot
 * hold Spot instances).
 */
export interface WebTierSpotBurst {
  /** Most Spot instances. */
  readonly max: number;
  /**
   * Spot instances always running beside the tier's group: standing capacity at Spot prices, for
   * a spike that must be served before any scaling can react (an unannounced spike is seen no
   * sooner than about 3 minutes after it starts).
   *
   * @default 0
   */
  readonly min?: number;
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
   * Spot instances beside the tier's group, behind the same target group: up to `max` of them, on
   * the same scaling signals (CPU, and request count when the tier declares its rate). Instance
   * types as for `capacity.baseline` (three same-size families at least). A warm pool stays on
   * the tier's On-Demand group.
   *
   * @default - no Spot burst group
   */
  readonly spotBurst?: WebTierSpotBurst;
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
