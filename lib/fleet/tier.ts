import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Duration, Size } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AppSource } from './app-source';
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
  /** The VPC the instances run in. */
  readonly vpc: ec2.IVpc;
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
   * @default - 2 for a StatelessWebTier (the environment profile's webMinCapacity: 1 in development), 1 for a SingletonWorker
   */
  readonly min?: number;
  /**
   * Most instances that scaling may reach.
   *
   * @default - 20 for a StatelessWebTier (the environment profile's webMaxCapacity: 2 in development), 1 for a SingletonWorker
   */
  readonly max?: number;
  /**
   * Instances at creation. Leave it unset so that each deployment keeps the size that scaling
   * chose; when set, every deployment resets the group to this size.
   *
   * @default - the group starts at `min` and scaling decides afterwards
   */
  readonly desired?: number;
  /**
   * On-demand instances that never go away (static capacity); every instance above them is Spot
   * (dynamic capacity), price-capacity-optimized over at least three same-size instance types of
   * different families, with capacity rebalancing. A web tier's instance that receives a Spot
   * interruption notice leaves its target group at once, so requests drain before it is taken.
   *
   * @default - every instance on demand
   */
  readonly baseline?: number;
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
   * @default - half of `capacity.min`, rounded up, and at least 1 (1 for a SingletonWorker)
   */
  readonly maxBatchSize?: number;
  /**
   * How long a new instance may take from launch to answering its health check (CloudFormation's
   * PauseTime and the launch hook's heartbeat): 6 to 60 minutes. Covers package installs, a git
   * clone and the build for `AppSource.fromGitRepository`. The boot's readiness deadline is this
   * less 5 minutes (counted from the start of the boot), which leaves time for the launch and for a
   * FAILURE signal to arrive before CloudFormation gives up: 10 minutes by default.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
}

/**
 * Props every tier shares: where its instances run, what they boot, and how they are built.
 */
export interface TierInstanceProps {
  /** The VPC; the instances go in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Where the app comes from: `AppSource.fromMachineImage(...)` or `AppSource.fromGitRepository(...)`. */
  readonly source: AppSource;
  /**
   * Subnets for the instances.
   *
   * @default - private subnets with egress, which must span at least two Availability Zones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Secret whose key/values (a JSON object, or dotenv text) become the app's environment file,
   * written at boot and readable only by the app user. Only this secret is readable by the
   * instances; its value never appears in the template or the user data.
   *
   * @default - no environment file
   */
  readonly environment?: secretsmanager.ISecret;
  /**
   * Instance type.
   *
   * @default - the environment profile's instanceType: t3.small
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Other instance types of the same architecture that Auto Scaling may launch when `instanceType`
   * runs short, in priority order. An empty list means `instanceType` only.
   *
   * @default - the same-size sibling from the other vendor when one is known (t3 ↔ t3a, c6i ↔ c6a, m7g ↔ m6g, ...)
   */
  readonly fallbackInstanceTypes?: ec2.InstanceType[];
  /**
   * How new versions roll out.
   *
   * @default - batches of half of capacity.min (at least 1; a singleton is replaced in place), 15 minutes per instance to become healthy
   */
  readonly deployment?: RollingDeployment;
  /**
   * Topic that receives every scaling event (launch, terminate and their errors).
   *
   * @default - a new topic encrypted with `encryptionKey`
   */
  readonly notificationsTopic?: sns.ITopic;
  /**
   * Key that encrypts the tier's log group and notifications topic.
   *
   * @default - the stack's default key (`EncryptionKeys.setDefault`), else a new key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Size of the encrypted gp3 root volume.
   *
   * @default Size.gibibytes(20)
   */
  readonly rootVolumeSize?: Size;
  /**
   * Device name of the image's root volume (so that the encrypted gp3 volume replaces it).
   *
   * @default '/dev/xvda' (Amazon Linux)
   */
  readonly rootDeviceName?: string;
  /**
   * The instances run containers, which need a metadata hop limit of 2.
   *
   * @default false
   */
  readonly containerHost?: boolean;
  /**
   * How long an instance takes from launch until the app answers, as measured. It is written
   * into the group's metadata for the spike simulator (`expectSpike`, the CLI, the pipeline's
   * gate) and the instance lab checks it.
   *
   * @default - estimated from the boot steps: about 2 minutes for an image with the app baked in, 7 for a source built at boot
   */
  readonly expectedBootTime?: Duration;
  /**
   * How long an instance takes from leaving a stopped warm pool until the app answers.
   *
   * @default - estimated: instance start and app start, plus clone and build again for a git source
   */
  readonly expectedWarmStartTime?: Duration;
  /**
   * Retention of the tier's log group (boot, app, job and health logs).
   *
   * @default - the environment profile's logRetention: one year (a month in development, three in staging)
   */
  readonly logRetention?: logs.RetentionDays;
}
