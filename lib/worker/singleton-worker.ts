import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkOptions, invalid } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { resolveCapacity } from '../fleet/capacity';
import { Fleet } from '../fleet/fleet';
import { TierCapacity, TierInstanceProps } from '../fleet/tier';
import { TierBase } from '../fleet/tier-base';
import { groupInServiceMetric } from '../observability/metrics';
import { WorkerAlarmOptions, WorkerAlarms } from '../observability/worker-alarms';

/**
 * How a singleton worker checks itself.
 */
export interface WorkerHealthCheck {
  /**
   * Time between two runs of the health command (10–3600 seconds).
   *
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Time one run of the health command may take before it counts as a failure.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failures after which the instance reports itself unhealthy (1–100).
   *
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Time after launch during which the group's EC2 health check does not replace the instance.
   *
   * @default Duration.minutes(5)
   */
  readonly gracePeriod?: Duration;
}

/**
 * Props of a {@link SingletonWorker}.
 */
export interface SingletonWorkerProps extends TierInstanceProps {
  /**
   * A shell command that exits 0 while the worker is healthy, for example
   * `curl -fsS localhost:9000/health`. It runs as root on the instance.
   */
  readonly healthCommand: string;
  /**
   * How the health command is run.
   *
   * @default - every 30 s, 10 s timeout, unhealthy after 3 consecutive failures
   */
  readonly healthCheck?: WorkerHealthCheck;
  /**
   * A singleton runs exactly one instance: any other value fails at synth.
   * It exists so that a capacity copied from a web tier is caught rather than ignored.
   *
   * @default { min: 1, max: 1 }
   */
  readonly capacity?: TierCapacity;
  /**
   * Thresholds of the worker's alarms (self-reported unhealthy, not in service, boot failures).
   *
   * @default - every alarm on, with the defaults of WorkerAlarmOptions
   */
  readonly alarms?: WorkerAlarmOptions;
}

/**
 * Exactly one instance and no load balancer, brought back automatically: a health command runs
 * on the instance on an interval and, after N consecutive failures, the instance reports itself
 * unhealthy to Auto Scaling (permission scoped by tag to its own group), which replaces it. A
 * dead instance is replaced by the group's EC2 health check.
 */
export class SingletonWorker extends TierBase {
  /** The worker's alarms and dashboard section. */
  public readonly alarms: WorkerAlarms;

  constructor(scope: Construct, id: string, props: SingletonWorkerProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { vpc: 'object!', source: 'object!', healthCommand: 'string!', healthCheck: 'object', capacity: 'object', alarms: 'object', vpcSubnets: 'object', environment: 'object', instanceType: 'object', fallbackInstanceTypes: 'array', deployment: 'object', notificationsTopic: 'object', encryptionKey: 'object', rootVolumeSize: 'object', rootDeviceName: 'string', containerHost: 'boolean', logRetention: 'number', expectedBootTime: 'object', expectedWarmStartTime: 'object' });
    const capacity = resolveCapacity(this, props.capacity, { min: 1, max: 1 });
    for (const [key, value] of Object.entries(capacity)) {
      if (value !== undefined && !Token.isUnresolved(value) && value !== 1) {
        invalid(this, 'CWT301', `capacity.${key}`, value, 'A SingletonWorker runs exactly one instance: remove capacity, or use a StatelessWebTier for a fleet.');
      }
    }
    if (!Token.isUnresolved(props.healthCommand) && props.healthCommand.trim() === '') {
      invalid(this, 'CWT302', 'healthCommand', props.healthCommand, "Give a command that exits 0 while the worker is healthy, for example 'curl -fsS localhost:9000/health'.");
    }
    const health = {
      interval: props.healthCheck?.interval ?? Duration.seconds(30),
      timeout: props.healthCheck?.timeout ?? Duration.seconds(10),
      failureThreshold: props.healthCheck?.failureThreshold ?? 3,
      gracePeriod: props.healthCheck?.gracePeriod ?? Duration.minutes(5),
    };
    checkInteger(this, 'CWT303', 'healthCheck.interval (seconds)', health.interval.toSeconds(), 10, 3600);
    checkInteger(this, 'CWT304', 'healthCheck.timeout (seconds)', health.timeout.toSeconds(), 1, 3600);
    checkInteger(this, 'CWT305', 'healthCheck.failureThreshold', health.failureThreshold, 1, 100);
    checkInteger(this, 'CWT306', 'healthCheck.gracePeriod (seconds)', health.gracePeriod.toSeconds(), 0, 7200);
    if (health.timeout.toSeconds() >= health.interval.toSeconds()) {
      invalid(this, 'CWT307', 'healthCheck.timeout', health.timeout.toHumanString(), `It must be shorter than healthCheck.interval (${health.interval.toHumanString()}).`);
    }

    const fleet = this._initFleet(new Fleet(this, 'Fleet', {
      ...props,
      capacity: { min: 1, max: 1 },
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: health.gracePeriod }),
      singleton: true,
    }));

    const healthEnv = {
      HEALTH_COMMAND: props.healthCommand,
      HEALTH_TIMEOUT_SECONDS: String(health.timeout.toSeconds()),
    };
    // Ready first, then watched: the reporter starts only once the worker has answered once.
    fleet.addBootStep({
      name: 'wait-for-health-command',
      phase: BootPhase.SIGNAL,
      script: bootFile('wait-for-command.sh'),
      environment: healthEnv,
    });
    fleet.addBootStep({
      name: 'health-reporter',
      phase: BootPhase.SIGNAL,
      script: bootFile('health-reporter.sh'),
      environment: {
        ...healthEnv,
        HEALTH_INTERVAL_SECONDS: String(health.interval.toSeconds()),
        HEALTH_FAILURE_THRESHOLD: String(health.failureThreshold),
        // After a reboot the app gets the same grace as a new instance.
        HEALTH_BOOT_GRACE_SECONDS: String(health.gracePeriod.toSeconds()),
      },
    });
    this.alarms = new WorkerAlarms(this, 'Alarms', { autoScalingGroup: this.autoScalingGroup, logGroup: this.logGroup, options: props.alarms });
  }

  /** Instances in service (1 while the worker is up; alarm on < 1). */
  public metricInServiceInstances(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupInServiceMetric(this.autoScalingGroup, props);
  }
}
