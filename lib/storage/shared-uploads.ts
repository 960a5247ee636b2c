import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../common/acknowledge';
import { stackDefaultKey } from '../common/encryption';
import { dataSubnets, slug } from '../common/subnets';
import { checkInteger, checkOptions, invalid, warn } from '../common/validation';
import { EnvironmentProfile } from '../common/environment-profile';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { ITier } from '../fleet/tier';
import { UploadsAlarmOptions, UploadsAlarms } from '../observability/uploads-alarms';
import { checkSameVpc } from '../common/input-checks';

/**
 * Props of {@link SharedUploads}.
 */
export interface SharedUploadsProps {
  /** The VPC of the tiers that mount it. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the mount targets (one per Availability Zone).
   *
   * @default - isolated subnets when the VPC has them, private subnets otherwise
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * POSIX user id that owns every file, whatever user writes through the mount.
   *
   * @default 1001
   */
  readonly ownerUid?: number;
  /**
   * POSIX group id that owns every file.
   *
   * @default 1001
   */
  readonly ownerGid?: number;
  /**
   * Directory of the file system that the access point exposes (created on first use).
   *
   * @default '/uploads'
   */
  readonly rootDirectory?: string;
  /**
   * Files not read for this long move to the cheaper Infrequent Access class (and back on first read).
   *
   * @default efs.LifecyclePolicy.AFTER_30_DAYS
   */
  readonly lifecyclePolicy?: efs.LifecyclePolicy;
  /**
   * Daily AWS Backup of the file system (35-day retention, the EFS default backup plan).
   *
   * @default - the environment profile's uploadBackups: true, except in development and staging
   */
  readonly automaticBackups?: boolean;
  /**
   * Back the file system up in this AWS Backup plan (with the other resources of the app) instead
   * of the EFS automatic backups.
   *
   * @default - EFS automatic backups (automaticBackups)
   */
  readonly backupPlan?: backup.BackupPlan;
  /**
   * Key that encrypts the file system at rest.
   *
   * @default - the stack's default key (`EncryptionKeys.setDefault`), else the AWS managed key for EFS
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the file system when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN (uploads outlive the stack)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Thresholds of the file system's alarms (I/O limit, client connections, throughput).
   *
   * @default - every alarm on, with the defaults of UploadsAlarmOptions
   */
  readonly alarms?: UploadsAlarmOptions;
}

/**
 * User uploads on EFS that every instance of the tiers it is mounted on shares, so that any
 * instance can be retired at any time without losing a file.
 *
 * Encrypted at rest, mounted over TLS with IAM authorization through amazon-efs-utils, exposed
 * through an access point with a fixed POSIX owner, backed up daily, with a lifecycle to
 * Infrequent Access. `mountOn(tier, path)` opens NFS from that tier only, grants mount and write on
 * this file system through this access point only, and adds the mount (with fstab) to its boot.
 */
export class SharedUploads extends Construct implements ec2.IConnectable {
  /** The file system. */
  public readonly fileSystem: efs.FileSystem;
  /** The VPC of the file system's mount targets; a tier must run in it to mount the uploads. */
  public readonly vpc: ec2.IVpc;
  /** The access point every tier mounts. */
  public readonly accessPoint: efs.AccessPoint;
  /** Network access to the mount targets (NFS, 2049). */
  public readonly connections: ec2.Connections;
  /** The file system's alarms and dashboard section. */
  public readonly alarms: UploadsAlarms;
  private readonly mounts = new Map<ITier, Set<string>>();

  /**
   * A second file system on the same path of a tier, or inside or around it, would hide one of
   * them. The other file systems are found in the construct tree.
   */
  private checkNoOverlappingMount(tier: ITier, path: string): void {
    if (Token.isUnresolved(path)) return;
    for (const other of this.node.root.node.findAll()) {
      if (!(other instanceof SharedUploads) || other === this) continue;
      for (const otherPath of other.mounts.get(tier) ?? []) {
        if (otherPath === path || path.startsWith(`${otherPath}/`) || otherPath.startsWith(`${path}/`)) {
          invalid(this, 'CWT408', 'path', path, `${other.node.path} is already mounted on ${tier.node.path} at ${otherPath}: give each file system its own directory, neither inside the other.`);
        }
      }
    }
  }

  constructor(scope: Construct, id: string, props: SharedUploadsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { vpc: 'object!', vpcSubnets: 'object', ownerUid: 'number', ownerGid: 'number', rootDirectory: 'string', lifecyclePolicy: 'string', automaticBackups: 'boolean', backupPlan: 'object', encryptionKey: 'object', removalPolicy: 'string', alarms: 'object' });
    const ownerUid = props.ownerUid ?? 1001;
    const ownerGid = props.ownerGid ?? 1001;
    checkInteger(this, 'CWT401', 'ownerUid', ownerUid, 1, 4294967294);
    checkInteger(this, 'CWT402', 'ownerGid', ownerGid, 1, 4294967294);
    const rootDirectory = props.rootDirectory ?? '/uploads';
    if (!Token.isUnresolved(rootDirectory) && (!/^\/[\w./-]*$/.test(rootDirectory) || rootDirectory.includes('..') || rootDirectory === '/')) {
      invalid(this, 'CWT403', 'rootDirectory', rootDirectory, "Use an absolute directory below the file system root, for example '/uploads'.");
    }
    if (props.backupPlan && props.automaticBackups) {
      invalid(this, 'CWT404', 'automaticBackups', true, 'With a backupPlan the file system is backed up by that plan: remove automaticBackups, or the backupPlan.');
    }
    const profile = EnvironmentProfile.of(this);
    const automaticBackups = props.backupPlan ? false : props.automaticBackups ?? profile.uploadBackups;
    if (!automaticBackups && !props.backupPlan) {
      const message = 'automaticBackups is false: a deleted or overwritten upload cannot be restored.';
      if (props.automaticBackups === undefined) profile._warnChosen(this, 'noUploadBackups', message);
      else warn(this, 'noUploadBackups', message);
    }

    this.vpc = props.vpc;
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnets: dataSubnets(props.vpc, props.vpcSubnets),
      encrypted: true,
      kmsKey: props.encryptionKey ?? stackDefaultKey(this),
      lifecyclePolicy: props.lifecyclePolicy ?? efs.LifecyclePolicy.AFTER_30_DAYS,
      outOfInfrequentAccessPolicy: efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.ELASTIC,
      enableAutomaticBackups: automaticBackups,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      allowAnonymousAccess: false,
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'DenyWithoutTls',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        })],
      }),
    });
    if (!automaticBackups && !props.backupPlan && props.automaticBackups === undefined) {
      profile._acknowledgeChosen(this.fileSystem, 'does not back up uploads, as the environment holds no data worth restoring',
        'NIST.800.53.R5-EFSInBackupPlan', 'HIPAA.Security-EFSInBackupPlan');
    }
    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path: rootDirectory,
      posixUser: { uid: String(ownerUid), gid: String(ownerGid) },
      createAcl: { ownerUid: String(ownerUid), ownerGid: String(ownerGid), permissions: '750' },
    });
    this.connections = this.fileSystem.connections;
    this.alarms = new UploadsAlarms(this, 'Alarms', { fileSystem: this.fileSystem, options: props.alarms });
    if (automaticBackups) {
      // cdk-nag looks for an AWS Backup selection in the template; EFS automatic backups are a
      // plan of AWS Backup too, but one that EFS manages outside the template.
      acknowledgeFindings(this.fileSystem,
        'EFS automatic backups are on: AWS Backup backs the file system up daily in the plan EFS manages (aws/efs/automatic-backup-plan, 35-day retention), which is not part of the template. Pass backupPlan to use a plan of your own.',
        'NIST.800.53.R5-EFSInBackupPlan', 'HIPAA.Security-EFSInBackupPlan');
    }
    if (props.backupPlan) {
      const selection = props.backupPlan.addSelection(`${this.node.id}Uploads`, {
        resources: [backup.BackupResource.fromEfsFileSystem(this.fileSystem)],
      });
      acknowledgeFindings(selection,
        'AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy that AWS Backup documents for its service role; AWS updates it as services gain backup support.',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]');
      acknowledgeFindings(this.fileSystem,
        'The file system is backed up daily by the given AWS Backup plan; turning EFS automatic backups on as well would store every backup twice.',
        'CT.ELASTICFILESYSYSTEM.PR.2');
    }
  }

  /**
   * Mounts the uploads on every instance of a tier at `path`: opens NFS from that tier only,
   * grants mount and write through this access point only, and adds the mount to the tier's boot
   * (in /etc/fstab, so a reboot keeps it). Works on a StatelessWebTier and a SingletonWorker.
   */
  public mountOn(tier: ITier, path: string): void {
    checkOptions(this, 'mountOn', { tier, path }, { tier: 'object!', path: 'string!' });
    validateMountPath(this, path);
    checkSameVpc(this, tier, 'mountOn(tier)');
    const paths = this.mounts.get(tier) ?? new Set<string>();
    if (paths.has(path)) {
      invalid(this, 'CWT405', 'path', path, `${this.node.path} is already mounted on ${tier.node.path} at this path: call mountOn once per tier and path.`);
    }
    this.checkNoOverlappingMount(tier, path);
    paths.add(path);
    this.mounts.set(tier, paths);

    if (paths.size === 1) {
      this.fileSystem.connections.allowDefaultPortFrom(tier, `NFS from ${tier.node.path}`);
      tier.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        resources: [this.fileSystem.fileSystemArn],
        conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn } },
      }));
      // Instances must not boot before the mount targets exist.
      tier.autoScalingGroup.node.addDependency(this.fileSystem.mountTargetsAvailable);
    }
    tier.addBootStep({
      name: `mount-${slug(this.node.id)}${paths.size > 1 ? `-${paths.size}` : ''}`,
      phase: BootPhase.MOUNT,
      script: bootFile('mount-efs.sh'),
      environment: {
        FILE_SYSTEM_ID: this.fileSystem.fileSystemId,
        ACCESS_POINT_ID: this.accessPoint.accessPointId,
        MOUNT_PATH: path,
      },
    });
  }
}

const SYSTEM_DIRECTORIES = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/var']);

function validateMountPath(scope: Construct, path: string): void {
  if (Token.isUnresolved(path)) return;
  if (!/^\/[\w./-]+$/.test(path) || path.includes('..') || path.includes('//') || (path.length > 1 && path.endsWith('/'))) {
    invalid(scope, 'CWT406', 'path', path, "Use an absolute directory without spaces, '..' or a trailing '/', for example '/var/app/uploads'.");
  }
  if (SYSTEM_DIRECTORIES.has(path)) {
    invalid(scope, 'CWT407', 'path', path, `Mounting over ${path} would hide the system's own files: use a directory of the app, for example '/var/app/uploads'.`);
  }
}
