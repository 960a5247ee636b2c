import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../common/acknowledge';
import { keyFor } from '../common/encryption';
import { dataSubnets } from '../common/subnets';
import { checkInteger, checkOptions, invalid, warn } from '../common/validation';
import { EnvironmentProfile } from '../common/environment-profile';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { IJobLock, ScheduledJobOptions } from '../fleet/scheduled-job-options';
import { ITier } from '../fleet/tier';
import { joblockCliAsset } from './joblock-cli-asset';
import { ScheduledJob } from './scheduled-job';
import { JobLockAlarmOptions, JobLockAlarms } from '../observability/job-lock-alarms';
import { checkSameVpc } from '../common/input-checks';

/**
 * The cache engine behind a {@link JobLock}.
 */
export class LockEngine {
  /** Valkey 8 (Redis-compatible, the cheaper ElastiCache engine). */
  public static readonly VALKEY_8 = new LockEngine('valkey', '8.0', 'valkey8');
  /** Redis OSS 7.1. */
  public static readonly REDIS_7 = new LockEngine('redis', '7.1', 'redis7');

  /** Any engine version ElastiCache offers, with its parameter group family (e.g. 'valkey7'). */
  public static of(engine: string, version: string, parameterGroupFamily: string): LockEngine {
    checkOptions(undefined, 'LockEngine.of', { engine, version, parameterGroupFamily }, { engine: 'string!', version: 'string!', parameterGroupFamily: 'string!' });
    return new LockEngine(engine, version, parameterGroupFamily);
  }

  private constructor(
    /** ElastiCache engine name. */
    public readonly engine: string,
    /** Engine version. */
    public readonly version: string,
    /** Parameter group family. */
    public readonly parameterGroupFamily: string,
  ) {}
}

/**
 * Props of a {@link JobLock}.
 */
export interface JobLockProps {
  /** The VPC of the tiers that use the lock. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the cache nodes.
   *
   * @default - isolated subnets when the VPC has them, private subnets otherwise
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Cache engine.
   *
   * @default LockEngine.VALKEY_8
   */
  readonly engine?: LockEngine;
  /**
   * Node type. Locks need almost no memory.
   *
   * @default 'cache.t4g.micro'
   */
  readonly nodeType?: string;
  /**
   * A replica in a second Availability Zone with automatic failover, so that scheduled jobs keep
   * running when a node or a zone fails. Without it, jobs stop (fail closed) while the node is down.
   *
   * @default - the environment profile's lockFailover: true, except in development
   */
  readonly multiAz?: boolean;
  /**
   * TCP port of the cache.
   *
   * @default 6379
   */
  readonly port?: number;
  /**
   * Key that encrypts the cache at rest and the AUTH token secret.
   *
   * @default - the stack's default key (`EncryptionKeys.setDefault`), else a new key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Thresholds of the lock's alarms (evictions, memory, engine CPU, connections).
   *
   * @default - every alarm on, with the defaults of JobLockAlarmOptions
   */
  readonly alarms?: JobLockAlarmOptions;
}

/**
 * A Redis-compatible lock store (ElastiCache) plus the `joblock` CLI on the instances of the tiers
 * that use it, so that a scheduled job runs exactly once per tick across a whole fleet.
 *
 * The cache sits in non-public subnets, encrypts in transit (TLS) and at rest, requires an AUTH
 * token generated into Secrets Manager, never evicts keys (`maxmemory-policy noeviction`: the
 * ElastiCache default would evict lock keys, which all carry a TTL), and fails over to a replica
 * in another zone. `allowFrom(tier)` opens the port from that tier only, grants reading the token
 * and installs the CLI with its connection URL.
 */
export class JobLock extends Construct implements ec2.IConnectable, IJobLock {
  /** The AUTH token, generated at deploy time. */
  public readonly authSecret: secretsmanager.Secret;
  /** The VPC of the cache; a tier must run in it to use the lock. */
  public readonly vpc: ec2.IVpc;
  /** Network access to the cache. */
  public readonly connections: ec2.Connections;
  /** Primary endpoint address. */
  public readonly endpointAddress: string;
  /** Primary endpoint port. */
  public readonly endpointPort: number;
  /** The key that encrypts the cache at rest and the AUTH token. */
  public readonly encryptionKey: kms.IKey;
  /** The joblock CLI bundle that instances download. */
  public readonly cliAsset: s3assets.Asset;
  /** The lock's alarms and dashboard section. */
  public readonly alarms: JobLockAlarms;
  private readonly tiers = new Set<ITier>();

  constructor(scope: Construct, id: string, props: JobLockProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { vpc: 'object!', vpcSubnets: 'object', engine: 'object', nodeType: 'string', multiAz: 'boolean', port: 'number', encryptionKey: 'object', alarms: 'object' });
    const engine = props.engine ?? LockEngine.VALKEY_8;
    const nodeType = props.nodeType ?? 'cache.t4g.micro';
    const profile = EnvironmentProfile.of(this);
    const multiAz = props.multiAz ?? profile.lockFailover;
    const port = props.port ?? 6379;
    validateEngine(this, engine);
    this.vpc = props.vpc;
    checkInteger(this, 'CWT501', 'port', port, 1024, 65535);
    if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(nodeType)) {
      invalid(this, 'CWT502', 'nodeType', nodeType, "Use an ElastiCache node type such as 'cache.t4g.micro'.");
    }
    if (multiAz && /^cache\.t1\./.test(nodeType)) {
      invalid(this, 'CWT503', 'nodeType', nodeType, 'T1 nodes do not support automatic failover: use cache.t4g.micro or larger, or multiAz: false.');
    }
    if (!multiAz) {
      const message = 'multiAz is false: while the single cache node is down or its zone fails, every scheduled job is skipped (joblock fails closed).';
      if (props.multiAz === undefined) profile._warnChosen(this, 'lockWithoutFailover', message);
      else warn(this, 'lockWithoutFailover', message);
    }
    const subnets = props.vpc.selectSubnets(dataSubnets(props.vpc, props.vpcSubnets));
    if (subnets.hasPublic) {
      invalid(this, 'CWT504', 'vpcSubnets', 'public subnets', 'The lock store must not sit in public subnets: select isolated or private subnets.');
    }
    if (multiAz && new Set(subnets.availabilityZones).size < 2) {
      invalid(this, 'CWT505', 'vpcSubnets', `${subnets.subnetIds.length} subnet(s)`, 'multiAz needs subnets in two Availability Zones: widen vpcSubnets, or set multiAz: false.');
    }

    this.encryptionKey = keyFor(this, props.encryptionKey, 'Key', `Encrypts the job lock ${this.node.path} and its AUTH token`);
    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: `AUTH token of the job lock ${this.node.path}`,
      encryptionKey: this.encryptionKey,
      // ElastiCache AUTH tokens: 16–128 printable characters; punctuation is left out so the token
      // needs no escaping in a URL.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeFindings(this.authSecret,
      'ElastiCache has no managed rotation for AUTH tokens (it needs ModifyReplicationGroup with AuthTokenUpdateStrategy ROTATE, then SET), ' +
      'and instances read the token at boot. The token only works from the tiers allowed on the security group, over TLS.',
      'AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled');

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Job lock ${this.node.path}`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(port) });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `Job lock ${this.node.path}`,
      subnetIds: subnets.subnetIds,
    });
    const parameterGroup = new elasticache.CfnParameterGroup(this, 'Parameters', {
      description: 'Job lock: never evict keys (every lock key has a TTL, which the default policy would evict)',
      cacheParameterGroupFamily: engine.parameterGroupFamily,
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const group = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: `Job lock ${this.node.path}`,
      engine: engine.engine,
      engineVersion: engine.version,
      cacheNodeType: nodeType,
      numCacheClusters: multiAz ? 2 : 1,
      automaticFailoverEnabled: multiAz,
      multiAzEnabled: multiAz,
      port,
      cacheSubnetGroupName: subnetGroup.ref,
      cacheParameterGroupName: parameterGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: this.encryptionKey.keyArn,
      // A dynamic reference: CloudFormation resolves it at deploy time; the value is never in the template.
      authToken: this.authSecret.secretValue.unsafeUnwrap(),
      autoMinorVersionUpgrade: true,
      // Lock keys are short-lived, but a daily snapshot kept 15 days costs almost nothing and
      // satisfies the backup controls of NIST 800-53 and HIPAA.
      snapshotRetentionLimit: 15,
    });
    // Explicit: lock keys and tick records live at most a day and mean nothing after the stack is
    // gone, so deleting or replacing the group keeps no final snapshot (which would only cost money).
    group.applyRemovalPolicy(RemovalPolicy.DESTROY);
    if (!multiAz && props.multiAz === undefined) {
      profile._acknowledgeChosen(group, 'runs the lock on one node, without failover, to save its cost (scheduled jobs pause while it is down)', 'AwsSolutions-AEC4');
    }
    this.endpointAddress = group.attrPrimaryEndPointAddress;
    this.endpointPort = port;
    this.cliAsset = joblockCliAsset(this, 'Cli');
    this.alarms = new JobLockAlarms(this, 'Alarms', { replicationGroupId: group.ref, nodes: multiAz ? 2 : 1, options: props.alarms });
  }

  /**
   * Runs a command on a schedule on exactly one instance of the tier per tick (what
   * `tier.addScheduledJob(name, { jobLock: lock, ... })` calls). The tier is allowed to use the lock.
   */
  public scheduleJob(tier: ITier, name: string, options: ScheduledJobOptions): void {
    new ScheduledJob(tier, name, { ...options, jobLock: this });
  }

  /**
   * Lets a tier use the lock: opens the cache port from that tier only, grants reading the AUTH
   * token, and installs the `joblock` CLI with `JOBLOCK_REDIS_URL` (rediss://, TLS) on its instances.
   * Calling it again for the same tier does nothing.
   */
  public allowFrom(tier: ITier): void {
    checkOptions(this, 'allowFrom', { tier }, { tier: 'object!' });
    if (this.tiers.has(tier)) return;
    checkSameVpc(this, tier, 'allowFrom(tier)');
    this.tiers.add(tier);
    this.connections.allowDefaultPortFrom(tier, `Job lock clients in ${tier.node.path}`);
    this.authSecret.grantRead(tier);
    // Exactly the one object, rather than the asset grant's read access to the whole staging bucket.
    tier.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::${this.cliAsset.s3BucketName}/${this.cliAsset.s3ObjectKey}`],
    }));
    tier.addBootStep({
      name: 'joblock-install',
      phase: BootPhase.PREPARE,
      script: bootFile('joblock-install.sh'),
      environment: { CLI_BUCKET: this.cliAsset.s3BucketName, CLI_KEY: this.cliAsset.s3ObjectKey, APP_USER: tier.appUser },
    });
    tier.addBootStep({
      name: 'joblock-config',
      phase: BootPhase.FETCH_SECRETS,
      script: bootFile('joblock-config.sh'),
      environment: {
        AUTH_SECRET_ARN: this.authSecret.secretArn,
        LOCK_HOST: this.endpointAddress,
        LOCK_PORT: String(this.endpointPort),
        APP_USER: tier.appUser,
      },
    });
  }
}

/**
 * The engines joblock works with: Valkey 7.2 or later and Redis OSS 6 or later, which ElastiCache
 * runs with TLS in transit and an AUTH token (Memcached has no atomic compare-and-delete).
 */
function validateEngine(scope: Construct, engine: LockEngine): void {
  const minimum: Record<string, number[]> = { valkey: [7, 2], redis: [6, 0] };
  const wanted = minimum[engine.engine];
  if (!wanted) {
    invalid(scope, 'CWT506', 'engine', engine.engine, "The job lock needs a Redis-compatible engine: use LockEngine.VALKEY_8, LockEngine.REDIS_7 or LockEngine.of('valkey' | 'redis', ...).");
  }
  const [major, minor] = engine.version.split('.').map(Number);
  if (!Number.isInteger(major) || major < wanted[0] || (major === wanted[0] && (minor || 0) < wanted[1])) {
    invalid(scope, 'CWT507', 'engine.version', engine.version, `The job lock needs ${engine.engine} ${wanted.join('.')} or later (TLS in transit with an AUTH token): use, for example, LockEngine.${engine.engine === 'valkey' ? 'VALKEY_8' : 'REDIS_7'}.`);
  }
  if (!engine.parameterGroupFamily.startsWith(engine.engine) || !engine.parameterGroupFamily.slice(engine.engine.length).startsWith(String(major))) {
    invalid(scope, 'CWT508', 'engine.parameterGroupFamily', engine.parameterGroupFamily, `It does not match ${engine.engine} ${engine.version}: use '${engine.engine}${major}'${engine.engine === 'redis' && major === 6 ? " ('redis6.x')" : ''}.`);
  }
}
