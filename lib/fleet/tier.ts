import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BootStep } from './boot-step';

/**
 * A group of instances built by cdk-web-tiers (a `StatelessWebTier` or a `SingletonWorker`).
 *
 * Features attach to a tier through this interface (`SharedUploads.mountOn`,
 * `JobLock.allowFrom`): they open the network path, grant IAM and add boot steps.
 */
export interface ITier extends IConstruct, ec2.IConnectable, iam.IGrantable {
  /** The Auto Scaling group that runs the tier's instances. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The launch template every instance starts from. */
  readonly launchTemplate: ec2.LaunchTemplate;
  /**
   * The instances' IAM role. Grant through the tier itself (`bucket.grantRead(tier)`): its
   * `grantPrincipal` writes to a customer managed policy, where the role would get an inline one.
   */
  readonly role: iam.IRole;
  /** The log group that receives the boot, app, job and health logs of every instance. */
  readonly logGroup: logs.ILogGroup;
  /** The user that runs the app on the instances. */
  readonly appUser: string;
  /**
   * Adds a named step to the boot script of every instance.
   *
   * Changing boot steps creates a new launch template version, which rolls out as a deployment.
   */
  addBootStep(step: BootStep): void;
}

/**
 * How many instances a tier runs.
 */
export interface TierCapacity {
  /**
   * Fewest instances. Rolling deployments never go below this many healthy instances
   * (when `max` leaves room for an extra instance).
   *
   * @default 2 for a StatelessWebTier, 1 for a SingletonWorker
   */
  readonly min?: number;
  /**
   * Most instances that scaling may reach.
   *
   * @default 10 for a StatelessWebTier, 1 for a SingletonWorker
   */
  readonly max?: number;
  /**
   * Instances at creation. Leave it unset so that each deployment keeps the size that scaling
   * chose; when set, every deployment resets the group to this size.
   *
   * @default - the group starts at `min` and scaling decides afterwards
   */
  readonly desired?: number;
}

/**
 * How a new launch template version (a new image, new boot steps) replaces running instances.
 *
 * cdk-web-tiers uses a CloudFormation rolling update with resource signals: each new instance
 * signals success only after its app answers its health check, and CloudFormation replaces the
 * next batch only then. A failed boot signals failure and the stack rolls back to the previous
 * version, with the old instances still serving.
 */
export interface RollingDeployment {
  /**
   * Instances replaced at a time.
   *
   * @default 1
   */
  readonly maxBatchSize?: number;
  /**
   * How long a new instance may take from launch to answering its health check.
   * Covers package installs, a git clone and the build for `AppSource.fromGitRepository`.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
}
