import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AppSourceBindOptions, AppSourceConfig, MachineImageSourceOptions, checkArchitecture } from './app-source-config';
import { GitRepositorySourceProps, bindGitRepository } from './git-repository-source';
import { checkOptions } from '../common/validation';

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
    checkOptions(undefined, 'AppSource.fromMachineImage', { image, options }, { image: 'object!', options: 'object' });
    checkOptions(undefined, 'AppSource.fromMachineImage(image)', options, { architecture: 'string' });
    return new MachineImageSource(image, options);
  }

  /**
   * Fetch the latest commit of a git branch at every boot, build it as an unprivileged app user
   * and run it as a systemd service that restarts on failure. A server added during a rush never
   * runs stale code. The instance counts as ready only once the app answers its health check; a
   * failed clone or build fails the deployment signal and leaves its log in CloudWatch Logs.
   */
  public static fromGitRepository(props: GitRepositorySourceProps): AppSource {
    checkOptions(undefined, 'AppSource.fromGitRepository(props)', props, { repository: 'string!', startCommand: 'string!', branch: 'string', deployKey: 'object', sshKnownHosts: 'string', buildCommands: 'array', packages: 'array', machineImage: 'object', machineImageArchitecture: 'string' });
    return new GitRepositorySource(props);
  }

  /**
   * Called by the tier when it builds its instances.
   */
  public abstract bind(scope: Construct, options: AppSourceBindOptions): AppSourceConfig;
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

/** The code of a git branch, fetched, built and started at boot (the work is `bindGitRepository`'s). */
class GitRepositorySource extends AppSource {
  constructor(private readonly props: GitRepositorySourceProps) {
    super();
  }

  public bind(scope: Construct, options: AppSourceBindOptions): AppSourceConfig {
    return bindGitRepository(scope, this.props, options);
  }
}
