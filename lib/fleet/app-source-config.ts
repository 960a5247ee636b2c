import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { invalid } from '../common/validation';
import { BootStep } from './boot-step';

/**
 * What a tier tells its app source when it binds it.
 */
export interface AppSourceBindOptions {
  /** The instance type the tier launches; the source picks or checks the image architecture. */
  readonly instanceType: ec2.InstanceType;
  /** Grant target of the instances, for the permissions the source needs at boot. */
  readonly grantPrincipal: iam.IPrincipal;
  /** The instances' network connections, for the egress the source needs at boot. */
  readonly connections: ec2.Connections;
  /** The user that runs the app. */
  readonly appUser: string;
  /** The TCP port the app listens on, when the tier has one. @default - no port (a worker) */
  readonly appPort?: number;
}

/**
 * What an app source contributes to a tier.
 */
export interface AppSourceConfig {
  /** The image instances boot from. */
  readonly machineImage: ec2.IMachineImage;
  /** Boot steps that install and start the app. @default - none */
  readonly bootSteps?: BootStep[];
  /**
   * The image is the newest of a series, looked up again at every deploy: a deploy after a new
   * release replaces every instance.
   * @default false
   */
  readonly imageFollowsLatest?: boolean;
}

/**
 * Options for `AppSource.fromMachineImage`.
 */
export interface MachineImageSourceOptions {
  /**
   * The CPU architecture the image was built for. When given, a tier whose instance type has the
   * other architecture fails at synth instead of failing to launch.
   *
   * @default - not checked (the image id is usually only known at deploy time)
   */
  readonly architecture?: ec2.InstanceArchitecture;
}

/** Checks that an image declared for one architecture is not launched on the other. */
export function checkArchitecture(scope: Construct, instanceType: ec2.InstanceType, imageArchitecture: ec2.InstanceArchitecture | undefined): void {
  if (imageArchitecture === undefined || imageArchitecture === instanceType.architecture) return;
  invalid(scope, 'CWT114', 'instanceType', instanceType.toString(),
    `It is an ${instanceType.architecture} instance type but the source image is built for ${imageArchitecture}: ` +
    `pick an ${imageArchitecture} instance type or an image built for ${instanceType.architecture}.`);
}
