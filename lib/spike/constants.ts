/**
 * The AWS behaviour the spike simulator reproduces, one constant per documented fact, each with
 * the page it comes from. Numbers that AWS does not document (boot time, what one instance
 * serves) are not here: they are inputs with defaults in `model.ts`.
 */

/**
 * Period of EC2 metrics with detailed monitoring: one minute.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html
 */
export const DETAILED_MONITORING_PERIOD_SECONDS = 60;

/**
 * Period of EC2 metrics with basic monitoring (the default of a launch template): five minutes.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html
 */
export const BASIC_MONITORING_PERIOD_SECONDS = 300;

/**
 * Shortest period of a high-resolution custom metric that target tracking and alarms accept.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html#high-resolution-metrics
 */
export const HIGH_RESOLUTION_PERIOD_SECONDS = 10;

/**
 * Load balancer metrics (RequestCount, RequestCountPerTarget) are sent every 60 seconds.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
export const LOAD_BALANCER_METRIC_PERIOD_SECONDS = 60;

/**
 * The scale-out alarm that target tracking creates breaches after 3 consecutive datapoints above
 * the target; the scale-in alarm after 15 consecutive datapoints below it.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/target-tracking-scaling-policy-overview.html
 */
export const TARGET_TRACKING_SCALE_OUT_DATAPOINTS = 3;
/** See {@link TARGET_TRACKING_SCALE_OUT_DATAPOINTS}. */
export const TARGET_TRACKING_SCALE_IN_DATAPOINTS = 15;

/**
 * Target tracking scales in only once the metric is clearly below the target: the scale-in
 * alarm's threshold is 90 % of the target value (the alarms it creates in a group show
 * "< target × 0.9"), which keeps the fleet from flapping around the target.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/target-tracking-scaling-policy-overview.html
 */
export const TARGET_TRACKING_SCALE_IN_RATIO = 0.9;

/**
 * While an alarm stays in ALARM, CloudWatch invokes its Auto Scaling action again once a minute
 * (other actions run only on a state change).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html
 */
export const ALARM_AUTO_SCALING_REPEAT_SECONDS = 60;

/**
 * Default cooldown of a group (simple scaling waits this long after an activity before it acts
 * again; target tracking and step scaling do not use it) and, when neither the policy's
 * estimated warm-up nor the group's default instance warm-up is set, the warm-up of new instances.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scaling-cooldowns.html
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScalingPolicy.html (EstimatedInstanceWarmup)
 */
export const DEFAULT_COOLDOWN_SECONDS = 300;

/**
 * Health check grace period of a group created through CloudFormation or the API when none is set.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html
 */
export const DEFAULT_HEALTH_CHECK_GRACE_SECONDS = 0;

/**
 * Target group health check defaults for HTTP targets of an Application Load Balancer.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export const DEFAULT_TARGET_GROUP_HEALTH_CHECK = {
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
} as const;

/**
 * When every target of a target group is unhealthy the load balancer routes to all of them
 * (fail open). `target_group_health.unhealthy_state_routing.minimum_healthy_targets.count`
 * defaults to 1 and `.percentage` to off; below either, the load balancer fails open.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html
 */
export const DEFAULT_FAIL_OPEN_MINIMUM_HEALTHY_TARGETS = 1;

/**
 * Slow start: a new healthy target's share of requests rises linearly over the duration (30 to
 * 900 seconds; 0 turns it off, the default).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
 */
export const SLOW_START_MAX_SECONDS = 900;

/**
 * A request the target has not answered within the load balancer's idle timeout (60 seconds by
 * default) fails with 504: that bounds how long requests queue on an overloaded instance.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
 */
export const LOAD_BALANCER_IDLE_TIMEOUT_SECONDS = 60;

/**
 * A warm pool's size is MaxGroupPreparedCapacity (default: the group's maximum) minus the
 * desired capacity, and at least MinSize; instances leave it when the group scales out and it
 * refills with new instances that go through their boot before they are ready.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-warm-pools.html
 */
export const WARM_POOL_DEFAULT_MIN_SIZE = 0;

/**
 * Step scaling rounds a PercentChangeInCapacity adjustment: values above 1 down, below -1 up,
 * and between 0 and 1 to 1 (or MinAdjustmentMagnitude when set).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html#as-scaling-adjustment
 */
export const PERCENT_ADJUSTMENT_ROUNDING = 'toward zero, at least 1' as const;

/**
 * Step scaling and target tracking count instances that are warming up as part of the current
 * capacity: a repeated alarm adds only what exceeds the capacity already on its way; the metric
 * of an instance is left out of the group's aggregated metrics until its warm-up ends.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html
 */
export const WARMING_INSTANCES_COUNT_AS_CAPACITY = true;

/**
 * With ELB health checks, the group replaces an instance that the load balancer reports
 * unhealthy once the health check grace period has passed; with EC2 health checks only an
 * instance that is not running (or whose status checks fail) is replaced.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html
 */
export const ELB_HEALTH_REPLACES_UNHEALTHY_TARGETS = true;

/**
 * When several target tracking policies are active, the group scales out when any of them says
 * so and scales in only when all of them do.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html#target-tracking-considerations
 */
export const TARGET_TRACKING_MULTIPLE_POLICIES = 'out on any, in on all' as const;

/**
 * How long after its period ends a datapoint becomes usable by an alarm. AWS documents no number:
 * "If there are requests flowing through the load balancer, Elastic Load Balancing measures and
 * sends its metrics in 60-second intervals" and CloudWatch makes them available afterwards
 * (commonly one to two minutes for one-minute data, as published observations say, more for
 * five-minute data). The model takes the pessimistic end, 120 s for data of one minute or less;
 * override it with `metricPublicationDelaySeconds` (`--metric-delay-seconds`) after measuring.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html
 */
export const METRIC_PUBLICATION_DELAY_SECONDS = 120;

/**
 * The same delay for five-minute data (EC2 basic monitoring): undocumented too; published
 * observations give five to ten minutes, and the model takes ten.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html
 */
export const BASIC_MONITORING_PUBLICATION_DELAY_SECONDS = 600;

/**
 * Replacement of instances that fail their health check: "Amazon EC2 Auto Scaling replaces up to
 * 10 percent of the group's desired capacity at a time" (at least one instance), and it does not
 * start a replacement while a scaling activity (a scale-out) is in progress.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/replace-unhealthy-instance.html
 */
export const HEALTH_REPLACEMENT_SHARE_OF_DESIRED = 0.1;

/**
 * A newly registered target: "After your target is registered, it must pass one health check to
 * be considered healthy." (HealthyThresholdCount applies to a target that was unhealthy.)
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export const NEW_TARGET_PASSING_CHECKS = 1;

/**
 * Scheduled actions run close to their time but not exactly on it: "the scheduled action ... may
 * run up to two minutes" after the time set. The model fires each action at the pessimistic end,
 * two minutes late.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
 */
export const SCHEDULED_ACTION_DELAY_SECONDS = 120;

/**
 * A warm pool cannot hold Spot instances: stopped instances must be stoppable, and Auto Scaling
 * does not make the persistent Spot requests that EC2 stops; a mixed instances policy beside a
 * warm pool must be On-Demand only. A group with Spot gets no warm-pool credit in the model.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-warm-pools.html (limitations)
 */
export const WARM_POOL_HOLDS_SPOT = false;

/**
 * Demand before the spike when nothing declares it: an absolute number, the same for every
 * template (never derived from the group's size), so that two templates compare fairly. Not an
 * AWS fact: a convention of the model, overridden by the tier's declared baseline or the option.
 */
export const DEFAULT_BASELINE_REQUESTS_PER_SECOND = 100;

/**
 * Availability objective against which a spike's failed requests are counted when the tier
 * declares none: 99.9 %, the strict end of the 99.5-99.9 % the examples' service levels name.
 * The error budget of a month is (1 - objective) of the month's requests.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-ServiceLevelObjectives.html
 */
export const DEFAULT_AVAILABILITY_OBJECTIVE_PERCENT = 99.9;

/** The metadata key on an AWS::AutoScaling::AutoScalingGroup where a tier declares boot time, warm start, per-instance rate and objective. */
export const SPIKE_METADATA_KEY = 'cdk-web-tiers:spike';
