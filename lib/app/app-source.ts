import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { invalid } from '../common/validation';
import { BootStep } from '../fleet/boot-step';
import type { GitRepositorySourceProps } from './git-repository-source';

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

/**
 * Where a tier's application comes from.
 */
export abstract class AppSource {
  /**
   * Boot from a pre-baked image (for example built by Packer) that already contains the app and
   * starts it on boot.
   *
   * Pair it with `ec2.MachineImage.fromSsmParameter('/my-app/web/ami')`: the image build writes the
   * new AMI id to that parameter, and the next `cdk deploy` resolves it, creates a new launch
   * template version and rolls it out in batches, each instance counted only once its app answers
   * the health check.
   */
  public static fromMachineImage(image: ec2.IMachineImage, options: MachineImageSourceOptions = {}): AppSource {
    return new MachineImageSource(image, options);
  }

  /**
   * Fetch the latest commit of a git branch at every boot, build it as an unprivileged app user
   * and run it as a systemd service that restarts on failure. A server added during a rush never
   * runs stale code. The instance counts as ready only once the app answers its health check; a
   * failed clone or build fails the deployment signal and leaves its log in CloudWatch Logs.
   */
  public static fromGitRepository(props: GitRepositorySourceProps): AppSource {
    // Loaded here: GitRepositorySource extends AppSource, so it can only load once AppSource exists.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GitRepositorySource } = require('./git-repository-source') as typeof import('./git-repository-source');
    return new GitRepositorySource(props);
  }

  /**
   * Called by the tier when it builds its instances.
   */
  public abstract bind(scope: Construct, options: AppSourceBindOptions): AppSourceConfig;
}

/** Checks that an image declared for one architecture is not launched on the other. */
export function checkArchitecture(scope: Construct, instanceType: ec2.InstanceType, imageArchitecture: ec2.InstanceArchitecture | undefined): void {
  if (imageArchitecture === undefined || imageArchitecture === instanceType.architecture) return;
  invalid(scope, 'instanceType', instanceType.toString(),
    `It is an ${instanceType.architecture} instance type but the source image is built for ${imageArchitecture}: ` +
    `pick an ${imageArchitecture} instance type or an image built for ${instanceType.architecture}.`);
}

class MachineImageSource extends AppSource {
  constructor(private readonly image: ec2.IMachineImage, private readonly options: MachineImageSourceOptions) {
    super();
  }

  public bind(scope: Construct, options: AppSourceBindOptions): AppSourceConfig {
    checkArchitecture(scope, options.instanceType, this.options.architecture);
    return { machineImage: this.image };
  }
}
