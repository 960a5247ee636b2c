import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { invalid } from '../common/validation';
import { bootFile } from './boot-script';
import { BootPhase, BootStep } from './boot-step';
import { AppSourceBindOptions, AppSourceConfig, checkArchitecture } from './app-source-config';
import { APP_ENV_FILE } from './app-environment';

/**
 * GitHub's published SSH host keys (https://api.github.com/meta), pinned so that a deploy-key
 * clone never trusts a host key on first use.
 */
const GITHUB_KNOWN_HOSTS = 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

/**
 * Props of `AppSource.fromGitRepository`.
 */
export interface GitRepositorySourceProps {
  /**
   * Clone URL: `https://github.com/org/app.git` (public) or `git@github.com:org/app.git` (with `deployKey`).
   */
  readonly repository: string;
  /**
   * Branch whose latest commit every new instance runs.
   *
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Secret holding the private SSH deploy key (plain text, OpenSSH format). Required for SSH URLs.
   * Only the instances' role may read it, and only this secret.
   *
   * @default - none (HTTPS clone of a public repository)
   */
  readonly deployKey?: secretsmanager.ISecret;
  /**
   * `known_hosts` lines of the git server, for SSH URLs. Host keys are checked strictly.
   *
   * @default - GitHub's published host keys when the host is github.com; required for other hosts
   */
  readonly sshKnownHosts?: string;
  /**
   * Build commands, run in order as the app user in the checkout with the app environment loaded.
   *
   * @default - no build
   */
  readonly buildCommands?: string[];
  /**
   * Command that starts the app (as the app user, from the checkout, with the app environment and
   * `PORT` set). It runs under systemd, which restarts it on failure.
   */
  readonly startCommand: string;
  /**
   * OS packages to install before the clone (for example `['nodejs20']` or `['php8.3', 'php8.3-fpm']`).
   * git is always installed.
   *
   * @default - git only
   */
  readonly packages?: string[];
  /**
   * Image to boot. Its package manager must be dnf, yum or apt-get, and it needs the AWS CLI v2,
   * curl, and python3 or unzip (the standard Amazon Linux 2023 image has them; the minimal one
   * lacks the AWS CLI).
   *
   * The default is looked up again at every deploy, so the first deploy after an Amazon Linux
   * release replaces every instance. To choose when that happens, pin it:
   * `ec2.MachineImage.latestAmazonLinux2023({ cachedInContext: true })` (one lookup, kept in
   * cdk.context.json, which you commit), `ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-...' })`,
   * or `ec2.MachineImage.fromSsmParameter('/my-app/base-ami')`, a parameter you update on purpose.
   *
   * @default - the latest Amazon Linux 2023 for the instance type's architecture, resolved at every deploy
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * CPU architecture of `machineImage`, checked against the instance type.
   *
   * @default - not checked for a custom image; always right for the default image
   */
  readonly machineImageArchitecture?: ec2.InstanceArchitecture;
}

/**
 * Validates a git source and returns the boot steps that fetch, build and start it at boot.
 * @internal
 */
export function bindGitRepository(scope: Construct, props: GitRepositorySourceProps, options: AppSourceBindOptions): AppSourceConfig {
  const ssh = !Token.isUnresolved(props.repository) && /^(ssh:\/\/|[\w.-]+@[\w.-]+:)/.test(props.repository);
  const https = !Token.isUnresolved(props.repository) && /^https:\/\/[^\s]+$/.test(props.repository);
  if (!Token.isUnresolved(props.repository) && !ssh && !https) {
    invalid(scope, 'CWT128', 'source.repository', props.repository, "Use an HTTPS URL ('https://github.com/org/app.git') or an SSH URL with a deployKey ('git@github.com:org/app.git').");
  }
  if (ssh && !props.deployKey) {
    invalid(scope, 'CWT129', 'source.deployKey', undefined, `The repository ${props.repository} is an SSH URL: give deployKey, a Secrets Manager secret holding the private key.`);
  }
  if (https && props.deployKey) {
    invalid(scope, 'CWT130', 'source.deployKey', props.deployKey.secretName, `A deploy key is an SSH key, but the repository ${props.repository} is an HTTPS URL: use the git@host:org/repo.git form.`);
  }
  if (https && /^https:\/\/[^/@]+@/.test(props.repository)) {
    invalid(scope, 'CWT131', 'source.repository', props.repository.replace(/\/\/[^@]+@/, '//***@'), 'The URL contains credentials, which would be visible in the template: use an SSH URL with deployKey instead.');
  }
  const branch = props.branch ?? 'main';
  if (!Token.isUnresolved(branch) && !/^[\w][\w./-]*$/.test(branch)) {
    invalid(scope, 'CWT132', 'source.branch', branch, "Use a branch name such as 'main' or 'release/2024'.");
  }
  if (!Token.isUnresolved(props.startCommand) && props.startCommand.trim() === '') {
    invalid(scope, 'CWT133', 'source.startCommand', props.startCommand, "Give the command that starts the app, for example 'npm start'.");
  }
  for (const command of props.buildCommands ?? []) {
    if (command.includes('\n')) invalid(scope, 'CWT134', 'source.buildCommands', command, 'Give one command per array entry, without line breaks.');
  }
  const host = ssh ? /@([\w.-]+)[:/]/.exec(props.repository)?.[1] : undefined;
  const knownHosts = props.sshKnownHosts ?? (host === 'github.com' ? GITHUB_KNOWN_HOSTS : undefined);
  if (ssh && !knownHosts) {
    invalid(scope, 'CWT135', 'source.sshKnownHosts', undefined, `Give the known_hosts lines of ${host ?? 'the git server'} (ssh-keyscan it once and check the fingerprints): host keys are never trusted on first use.`);
  }
  for (const pkg of props.packages ?? []) {
    if (!/^[\w][\w.+:-]*$/.test(pkg)) invalid(scope, 'CWT136', 'source.packages', pkg, 'Give package names only, one per entry.');
  }

  if (props.machineImage) {
    checkArchitecture(scope, options.instanceType, props.machineImageArchitecture);
  }
  const machineImage = props.machineImage ?? ec2.MachineImage.latestAmazonLinux2023({
    cpuType: options.instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
  });

  if (ssh) {
    props.deployKey!.grantRead(options.grantPrincipal);
    options.connections.allowToAnyIpv4(ec2.Port.tcp(22), 'git over SSH');
  }

  const steps: BootStep[] = [
    {
      name: 'install-packages',
      phase: BootPhase.PREPARE,
      script: bootFile('install-packages.sh'),
      environment: { PACKAGES: ['git', ...(props.packages ?? [])].join(' ') },
    },
    {
      name: 'git-clone',
      phase: BootPhase.FETCH_CODE,
      script: bootFile('git-clone.sh'),
      environment: {
        REPOSITORY: props.repository,
        BRANCH: branch,
        APP_USER: options.appUser,
        DEPLOY_KEY_ARN: ssh ? props.deployKey!.secretArn : '',
        KNOWN_HOSTS: ssh ? knownHosts! : '',
      },
    },
  ];
  if (props.buildCommands?.length) {
    steps.push({
      name: 'build',
      phase: BootPhase.BUILD,
      script: bootFile('build-app.sh'),
      environment: { APP_USER: options.appUser, BUILD_COMMANDS: props.buildCommands.join('\n'), ENV_FILE: APP_ENV_FILE },
    });
  }
  steps.push({
    name: 'app-service',
    phase: BootPhase.START,
    script: bootFile('app-service.sh'),
    environment: { APP_USER: options.appUser, START_COMMAND: props.startCommand, ENV_FILE: APP_ENV_FILE, APP_PORT: options.appPort !== undefined ? String(options.appPort) : '' },
  });
  return { machineImage, bootSteps: steps, imageFollowsLatest: props.machineImage === undefined };
}
