import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { checkOptions, invalid } from '../common/validation';
import { EnvironmentSecretOptions } from './app-environment';
import { groupCpuMetric } from '../observability/metrics';
import { BootStep } from './boot-step';
import { ScheduledJobOptions } from './scheduled-job-options';
import { APP_USER, Fleet } from './fleet';
import { ITier } from './tier';

/**
 * What `StatelessWebTier` and `SingletonWorker` share: the fleet's L2s, boot steps, the app
 * environment, scheduled jobs and the CPU metric. Each tier validates its props, then builds its
 * fleet with `_initFleet`.
 */
export abstract class TierBase extends Construct implements ITier {
  public readonly appUser: string = APP_USER;
  private fleet?: Fleet;

  public get autoScalingGroup(): autoscaling.AutoScalingGroup {
    return this._fleet.autoScalingGroup;
  }

  public get launchTemplate(): ec2.LaunchTemplate {
    return this._fleet.launchTemplate;
  }

  public get role(): iam.IRole {
    return this._fleet.role;
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this._fleet.grantPrincipal;
  }

  public get vpc(): ec2.IVpc {
    return this._fleet.vpc;
  }

  public get logGroup(): logs.ILogGroup {
    return this._fleet.logGroup;
  }

  public get connections(): ec2.Connections {
    return this._fleet.connections;
  }

  /** The topic that receives scaling events. */
  public get notificationsTopic(): sns.ITopic {
    return this._fleet.notificationsTopic;
  }

  public addBootStep(step: BootStep): void {
    checkOptions(this, 'addBootStep(step)', step, { name: 'string!', phase: 'string!', script: 'string!', environment: 'object' });
    this._fleet.addBootStep(step);
  }

  /**
   * Runs a command on a schedule on exactly one instance per tick: every instance gets a systemd
   * timer that calls `joblock run` with the tick it was scheduled for, and the lock lets one win.
   * The tier is allowed to use the lock automatically. The same as `new ScheduledJob(tier, name, options)`.
   */
  public addScheduledJob(name: string, options: ScheduledJobOptions): void {
    checkOptions(this, 'addScheduledJob', { name, options }, { name: 'string!', options: 'object!' });
    if (options?.jobLock === undefined || typeof options.jobLock.scheduleJob !== 'function') {
      invalid(this, 'CWT140', `addScheduledJob(${name}).jobLock`, options?.jobLock, 'Give the JobLock that lets one instance win each tick: { jobLock: lock, ... }.');
    }
    options.jobLock.scheduleJob(this, name, options);
  }

  /**
   * Appends another secret's key/values to the app environment file, for example the credentials
   * secret of an RDS database with `{ prefix: 'DB_' }`. Grants reading that secret only.
   */
  public addEnvironmentFromSecret(secret: secretsmanager.ISecret, options: EnvironmentSecretOptions = {}): void {
    checkOptions(this, 'addEnvironmentFromSecret', { secret, options }, { secret: 'object!', options: 'object' });
    checkOptions(this, 'addEnvironmentFromSecret(secret)', options, { prefix: 'string' });
    this._fleet.addEnvironmentSecret(secret, options);
  }

  /** Average CPU of the tier's instances. */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupCpuMetric(this.autoScalingGroup, props);
  }

  /**
   * Builds the tier's fleet; called once by the subclass constructor after its validation.
   * @internal
   */
  protected _initFleet(fleet: Fleet): Fleet {
    this.fleet = fleet;
    return fleet;
  }

  /** @internal */
  protected get _fleet(): Fleet {
    if (!this.fleet) throw new Error(`${this.node.path}: the fleet is not built yet`);
    return this.fleet;
  }
}
